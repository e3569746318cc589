// The receiving round: people write to the account, one to one and in a group, without pause; the server is
// killed at a random moment, more arrives while it is down, then it starts again on the same data. Whatever
// it acknowledged before the kill must already be in the store; after it settles, everything sent must be.
import type { Emulator } from '../emulator/emulator.js'
import type { Person } from '../emulator/person.js'
import type { Lane } from './lane.js'
import { hasContent, storedMessages, tally } from './store-view.js'
import type { DecryptWatch } from './decrypt-watch.js'
import { DECRYPT, settleOrStall, sleep, type Rng, type RoundResult } from './round.js'

/** how long the people keep writing before the kill (random within), and after it */
const KILL_AFTER_MS: [number, number] = [200, 2500]
const WRITE_ON_MS: [number, number] = [0, 600]
/** pause between one person's messages */
const PAUSE_MS: [number, number] = [5, 30]
/** how long the restarted server may take to store everything that was sent, and how long nothing may move
 * before the rest counts as lost to decrypt failures */
const SETTLE_MS = 45_000
const STALL_MS = 5000

export interface ReceiveSetup {
  lane: Lane
  /** each person writes in turn to the chats listed for them (a phone number or the group's JID) */
  writers: Array<{ person: Person; chats: string[] }>
}

/** the account's contacts and a group they share with it */
export function receiveSetup(emu: Emulator, lane: Lane): ReceiveSetup {
  const [ann, ben, cal] = ['Ann', 'Ben', 'Cal'].map((n, i) => emu.person({ phone: `1555701000${i}`, name: `${n} Crash` }))
  const group = emu.createGroup('Crash Group', ann!, [lane.phone, ben!, cal!])
  // one person never encrypts two messages at once: its Signal session with the account is shared
  return { lane, writers: [{ person: ann!, chats: [lane.phone, group.id] }, { person: ben!, chats: [lane.phone] }, { person: cal!, chats: [group.id] }] }
}

export async function receiveRound(emu: Emulator, setup: ReceiveSetup, rng: Rng, round: number, seed: number, watch: DecryptWatch): Promise<RoundResult> {
  const t0 = Date.now()
  const { lane } = setup
  if (!lane.alive) await lane.start()
  await lane.ready()
  const mark = watch.mark(lane)
  const kills0 = lane.kills
  const sent = new Map<string, string>()
  const acked = new Set<string>()
  const onAck = (a: { phone: string; by: string; tag: string; id: string }): void => {
    if (a.phone === lane.phone && a.by === 'receipt' && a.tag === 'message') acked.add(a.id)
  }
  emu.on('acknowledged', onAck)
  let writing = true
  const writers = setup.writers.map(async ({ person, chats }, w) => {
    for (let i = 0; writing; i++) {
      const text = `crash ${seed} r${round} w${w} #${i}`
      const m = await person.sendText(chats[i % chats.length]!, text)
      sent.set(m.id, text)
      await sleep(rng.int(...PAUSE_MS))
    }
  })
  const killAfter = rng.int(...KILL_AFTER_MS)
  await sleep(killAfter)
  await lane.kill()
  await sleep(rng.int(...WRITE_ON_MS))
  writing = false
  await Promise.all(writers)
  // receipts the process wrote before it died may still be in the emulator's socket buffer
  await sleep(300)
  emu.off('acknowledged', onAck)
  // only the people's messages: the account's own protocol messages (an app-state key share) are not stored
  for (const id of acked) if (!sent.has(id)) acked.delete(id)
  const atKill = tally(lane.dir, acked)
  const problems: string[] = []
  if (atKill.missing.length) problems.push(`acknowledged but not stored at the kill: ${atKill.missing.slice(0, 5).join(', ')}`)
  await lane.start()
  await lane.ready()
  const unstored = (): string[] => {
    const t = tally(lane.dir, sent.keys())
    return [...t.missing, ...t.stubs]
  }
  const explained = (): boolean => {
    const failed = watch.failedIds(lane, mark)
    return unstored().every((id) => failed.has(id))
  }
  await settleOrStall(() => tally(lane.dir, sent.keys()).stored, (n) => n === sent.size, explained, SETTLE_MS, STALL_MS)
  const end = tally(lane.dir, sent.keys())
  const failed = watch.failedIds(lane, mark)
  const lostPlain = end.missing.filter((id) => !failed.has(id))
  const lostDecrypt = [...end.missing, ...end.stubs].filter((id) => failed.has(id))
  if (lostPlain.length) problems.push(`${lostPlain.length} sent and never stored: ${lostPlain.slice(0, 5).join(', ')}`)
  const stubsPlain = end.stubs.filter((id) => !failed.has(id))
  if (stubsPlain.length) problems.push(`${stubsPlain.length} stored undecrypted: ${stubsPlain.slice(0, 5).join(', ')}`)
  const have = storedMessages(lane.dir)
  const decrypt = watch.count(lane, mark, (id) => hasContent(have.get(id)))
  if (decrypt.unhealed.length) problems.push(`${DECRYPT}${lostDecrypt.length} not stored after failed decryption; unhealed: ${decrypt.unhealed.slice(0, 4).join(', ')}`)
  return {
    round,
    kind: 'receive',
    seed,
    killedAt: `after ${killAfter} ms`,
    kills: lane.kills - kills0,
    sent: sent.size,
    acknowledged: acked.size,
    ackedLost: atKill.missing.length,
    stored: end.stored,
    lost: end.missing.length + end.stubs.length,
    stubs: end.stubs.length,
    decryptLosses: lostDecrypt.length,
    decryptFailures: decrypt.seen,
    decryptHealed: decrypt.healed,
    ms: Date.now() - t0,
    problems
  }
}

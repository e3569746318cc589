// The sending round: four MCP clients call send_message with idempotency keys as fast as answers come; the
// server is killed at a random moment. Every call that answered success must be in the store right after
// the kill; every call that failed or was cut is retried with its key after the restart; in the end each
// key must have reached the recipient exactly once.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import type { Person } from '../emulator/person.js'
import type { PeerMessage } from '../emulator/emulator.js'
import { call } from '../helpers/server-process.js'
import type { Lane } from './lane.js'
import type { DecryptWatch } from './decrypt-watch.js'
import { hasContent, storedMessages } from './store-view.js'
import { DECRYPT, settle, sleep, type Rng, type RoundResult } from './round.js'

const CLIENTS = 4
const KILL_AFTER_MS: [number, number] = [200, 2500]
/** a retried call may meet a server that is still catching up: it tries this often, a second apart */
const RETRY_ATTEMPTS = 20
/** how long every key's message may take to reach the recipient, and the quiet time after it for duplicates */
const ARRIVE_MS = 30_000
const QUIET_MS = 1500

export interface SendSetup {
  lane: Lane
  recipient: Person
}

interface Attempt {
  key: string
  text: string
  /** the message id the tool answered with */
  id?: string
  state: 'reported' | 'failed' | 'cut'
}

const textOf = (m: PeerMessage): string | undefined => m.message.conversation ?? m.message.extendedTextMessage?.text ?? undefined
const idOf = (messageId: unknown): string => String(messageId).split(':').at(-1)!

/** one call; says whether it answered success */
async function send(client: Client, recipient: Person, a: Attempt): Promise<boolean> {
  try {
    const r = await call(client, 'send_message', { recipient_jid: recipient.jid, message: a.text, idempotency_key: a.key })
    if (r.ok) {
      a.state = 'reported'
      a.id = idOf(r.data.message_id)
    } else a.state = 'failed'
  } catch {
    a.state = 'cut'
  }
  return a.state === 'reported'
}

export async function sendRound(setup: SendSetup, rng: Rng, round: number, seed: number, watch: DecryptWatch): Promise<RoundResult> {
  const t0 = Date.now()
  const { lane, recipient } = setup
  if (!lane.alive) await lane.start()
  await lane.ready()
  const mark = watch.mark(lane)
  const kills0 = lane.kills
  const inboxFrom = recipient.inbox.length
  const attempts: Attempt[] = []
  const clients = await Promise.all(Array.from({ length: CLIENTS }, () => lane.server!.mcp()))
  let live = true
  const loops = clients.map(async (client, c) => {
    for (let i = 0; live; i++) {
      const a: Attempt = { key: `crash-${seed}-${round}-${c}-${i}`, text: `crash send ${seed} r${round} c${c} #${i}`, state: 'cut' }
      attempts.push(a)
      await send(client, recipient, a)
      if (a.state === 'cut') return
    }
  })
  const killAfter = rng.int(...KILL_AFTER_MS)
  await sleep(killAfter)
  await lane.kill()
  live = false
  await Promise.all(loops)
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)))
  const problems: string[] = []
  const reported = attempts.filter((a) => a.state === 'reported')
  const atKill = storedMessages(lane.dir)
  const lostAtKill = reported.filter((a) => !hasContent(atKill.get(a.id!)))
  if (lostAtKill.length) problems.push(`reported sent but not stored at the kill: ${lostAtKill.slice(0, 5).map((a) => a.key).join(', ')}`)

  await lane.start()
  await lane.ready()
  const retry = attempts.filter((a) => a.state !== 'reported')
  const client = await lane.server!.mcp()
  try {
    for (const a of retry) {
      let ok = false
      for (let n = 0; n < RETRY_ATTEMPTS && !ok; n++) {
        ok = await send(client, recipient, a)
        if (!ok) await sleep(1000)
      }
      if (!ok) problems.push(`retry of ${a.key} never succeeded`)
    }
  } finally {
    await client.close().catch(() => undefined)
  }

  const done = attempts.filter((a) => a.state === 'reported')
  const arrived = (): Map<string, number> => {
    const n = new Map<string, number>()
    for (const m of recipient.inbox.slice(inboxFrom)) {
      const t = textOf(m)
      if (t) n.set(t, (n.get(t) ?? 0) + 1)
    }
    return n
  }
  await settle(() => done.every((a) => arrived().has(a.text)), ARRIVE_MS, 200)
  await sleep(QUIET_MS)
  const counts = arrived()
  const store = storedMessages(lane.dir)
  const failed = watch.failedIds(lane, mark)
  const missing = done.filter((a) => !hasContent(store.get(a.id!)) || !counts.has(a.text))
  // a message the recipient could not decrypt never reaches it: that waits for a retry receipt
  const missingDecrypt = missing.filter((a) => hasContent(store.get(a.id!)) && failed.has(a.id!))
  const missingPlain = missing.filter((a) => !missingDecrypt.includes(a))
  const duplicated = done.filter((a) => (counts.get(a.text) ?? 0) > 1)
  if (missingPlain.length) problems.push(`${missingPlain.length} sends missing (store or recipient): ${missingPlain.slice(0, 5).map((a) => a.key).join(', ')}`)
  if (missingDecrypt.length) problems.push(`${DECRYPT}${missingDecrypt.length} sends stored but undecryptable at the recipient: ${missingDecrypt.slice(0, 5).map((a) => a.key).join(', ')}`)
  if (duplicated.length) problems.push(`${duplicated.length} keys reached the recipient more than once: ${duplicated.slice(0, 5).map((a) => `${a.key}×${counts.get(a.text)}`).join(', ')}`)
  const decrypt = watch.count(lane, mark, (id) => hasContent(store.get(id)))
  if (decrypt.unhealed.length) problems.push(`${DECRYPT}unhealed: ${decrypt.unhealed.slice(0, 5).join(', ')}`)
  return {
    round,
    kind: 'send',
    seed,
    killedAt: `after ${killAfter} ms`,
    kills: lane.kills - kills0,
    reported: reported.length,
    retried: retry.length,
    sendsMissing: lostAtKill.length + missing.length,
    duplicated: duplicated.length,
    decryptLosses: missingDecrypt.length,
    decryptFailures: decrypt.seen,
    decryptHealed: decrypt.healed,
    ms: Date.now() - t0,
    problems
  }
}

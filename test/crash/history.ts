// The first history sync, interrupted: a new link whose phone sends a long history in many small chunks;
// the server is killed at a random moment of the sync (after a random chunk's hist_sync receipt, plus a
// random few milliseconds), started again on the same data, and must end with the whole history stored.
import type { Emulator } from '../emulator/emulator.js'
import type { HistoryChatSeed } from '../emulator/history.js'
import { Lane } from './lane.js'
import type { DecryptWatch } from './decrypt-watch.js'
import { hasContent, storedMessages, tally } from './store-view.js'
import { DECRYPT, settleOrStall, sleep, type Rng, type RoundResult } from './round.js'

/** chats the history spreads over */
const CHATS = 20
/** after the chosen chunk's receipt, the kill waits this long (random within) */
const KILL_JITTER_MS: [number, number] = [0, 80]
/** how long the sync may take before the kill (a sync that never gets there is a stall) */
const KILL_WITHIN_MS = 120_000
/** no progress this long, with chunks that failed to decrypt, is a stall: nothing sends those chunks again */
const STALL_MS = 20_000

export interface HistorySize {
  messages: number
  chunkSize: number
  /** how long the restarted server may take to store the rest */
  settleMs: number
}

/** a history of `size.messages` messages with ids of this round's own, spread over CHATS chats */
function seedHistory(round: number, seed: number, size: HistorySize): { chats: HistoryChatSeed[]; ids: string[] } {
  const ids: string[] = []
  const per = Math.ceil(size.messages / CHATS)
  const t0 = Math.floor(Date.now() / 1000) - per * 60
  const chats = Array.from({ length: CHATS }, (_, c): HistoryChatSeed => ({
    jid: `1666${String(c).padStart(7, '0')}`,
    name: `History ${c}`,
    messages: Array.from({ length: Math.min(per, size.messages - c * per) }, (_, i) => {
      const id = `CRASH${seed.toString(16).toUpperCase()}R${round}C${c}M${i}`
      ids.push(id)
      return { id, fromMe: i % 3 === 0, text: `history ${i} of chat ${c}`, ts: t0 + i * 60 }
    })
  }))
  return { chats, ids }
}

export async function historyRound(emu: Emulator, rng: Rng, round: number, seed: number, size: HistorySize, watch: DecryptWatch): Promise<RoundResult> {
  const t0 = Date.now()
  const phone = `1555902${String(round).padStart(4, '0')}`
  const { chats, ids } = seedHistory(round, seed, size)
  emu.setHistory(phone, { chats, chunkSize: size.chunkSize })
  const chunks = Math.ceil(ids.length / size.chunkSize)
  const lane = new Lane(emu, phone)
  const killAt = rng.int(1, Math.max(1, chunks - 1))
  const jitter = rng.int(...KILL_JITTER_MS)
  const problems: string[] = []
  let acks = 0
  let onAck: ((a: { phone: string; by: string }) => void) | undefined
  const killed = new Promise<boolean>((resolve) => {
    const t = setTimeout(() => resolve(false), KILL_WITHIN_MS)
    onAck = (a) => {
      if (a.phone !== phone || a.by !== 'hist_sync' || ++acks !== killAt) return
      clearTimeout(t)
      setTimeout(() => {
        lane.killNow()
        resolve(true)
      }, jitter)
    }
    emu.on('acknowledged', onAck)
  })
  await lane.startLinking()
  const mark = watch.mark(lane)
  try {
    if (!(await killed)) {
      problems.push(`the sync never reached chunk ${killAt} of ${chunks} (${acks} acknowledged)`)
      lane.killNow()
    }
    await lane.exited()
    emu.off('acknowledged', onAck!)
    const atKill = tally(lane.dir, ids).stored
    const restartedAt = Date.now()
    await lane.start()
    const stuck = (): boolean => watch.count(lane, mark, (id) => hasContent(storedMessages(lane.dir).get(id))).unhealed.length > 0
    const complete = await settleOrStall(() => tally(lane.dir, ids).stored, (n) => n === ids.length, stuck, size.settleMs, STALL_MS)
    const end = tally(lane.dir, ids)
    const store = storedMessages(lane.dir)
    const decrypt = watch.count(lane, mark, (id) => hasContent(store.get(id)))
    const why = `${end.stored} of ${ids.length} stored ${((Date.now() - restartedAt) / 1000).toFixed(0)} s after the restart`
    // a chunk whose notification could not be decrypted is never stored and never acknowledged
    if (!complete && decrypt.unhealed.length) problems.push(`${DECRYPT}history incomplete, ${why}: chunks failed to decrypt (${decrypt.unhealed.slice(0, 3).join(', ')})`)
    else if (!complete) problems.push(`history incomplete, ${why}`)
    else if (decrypt.unhealed.length) problems.push(`${DECRYPT}unhealed: ${decrypt.unhealed.slice(0, 5).join(', ')}`)
    return {
      round,
      kind: 'history',
      seed,
      killedAt: `after hist ack ${killAt}/${chunks} +${jitter} ms, done ${((Date.now() - restartedAt) / 1000).toFixed(1)} s after restart`,
      kills: lane.kills,
      history: ids.length,
      storedAtKill: atKill,
      stored: end.stored,
      historyComplete: complete,
      decryptLosses: ids.length - end.stored,
      decryptFailures: decrypt.seen,
      decryptHealed: decrypt.healed,
      ms: Date.now() - t0,
      problems
    }
  } finally {
    await lane.kill()
    await sleep(0)
  }
}

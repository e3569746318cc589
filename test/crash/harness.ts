// The crash harness: rounds of kill -9 against one long-lived emulator, each round one of three loads
// (receiving, sending, the first history sync), checked against what the emulator saw acknowledged and
// what the tools reported. `npm run crash-check` and test/crash/crash-check.test.ts drive it.
import { randomInt } from 'node:crypto'
import { startEmulator } from '../emulator/emulator.js'
import { Lane } from './lane.js'
import { DecryptWatch } from './decrypt-watch.js'
import { receiveRound, receiveSetup } from './receive.js'
import { sendRound } from './send.js'
import { historyRound, type HistorySize } from './history.js'
import { Rng, roundSeed, type RoundResult, type ScenarioKind } from './round.js'

export interface CrashOptions {
  rounds: number
  /** the run's seed; printed, so `CRASH_SEED=` replays the same kill moments and loads */
  seed?: number
  /** run only this round of the seed's sequence */
  only?: number
  /** the scenarios in turn; round n runs kinds[n % kinds.length] */
  kinds?: ScenarioKind[]
  history?: Partial<HistorySize>
  /** one line per finished round */
  onRound?: (r: RoundResult) => void
}

export const DEFAULT_HISTORY: HistorySize = { messages: 20_000, chunkSize: 200, settleMs: 180_000 }
const ALL_KINDS: ScenarioKind[] = ['receive', 'send', 'history']

export const newSeed = (): number => randomInt(2 ** 31)

/** runs the rounds and returns what each measured; a round that throws counts as a failed round */
export async function runCrashCheck(opts: CrashOptions): Promise<{ seed: number; results: RoundResult[] }> {
  const seed = opts.seed ?? newSeed()
  const kinds = opts.kinds ?? ALL_KINDS
  const history = { ...DEFAULT_HISTORY, ...opts.history }
  const emu = await startEmulator()
  const watch = new DecryptWatch(emu)
  const receiver = receiveSetup(emu, new Lane(emu, '15557020000'))
  const sender = { lane: new Lane(emu, '15557030000'), recipient: emu.person({ phone: '15557030001', name: 'Crash Recipient' }) }
  const results: RoundResult[] = []
  try {
    for (let round = 0; round < opts.rounds; round++) {
      if (opts.only !== undefined && round !== opts.only) continue
      const kind = kinds[round % kinds.length]!
      const s = roundSeed(seed, round)
      const rng = new Rng(s)
      const t0 = Date.now()
      let r: RoundResult
      try {
        r =
          kind === 'receive'
            ? await receiveRound(emu, receiver, rng, round, seed, watch)
            : kind === 'send'
              ? await sendRound(sender, rng, round, seed, watch)
              : await historyRound(emu, rng, round, seed, history, watch)
      } catch (err) {
        r = { round, kind, seed, killedAt: '-', kills: 0, decryptFailures: 0, decryptHealed: 0, ms: Date.now() - t0, problems: [`round failed: ${(err as Error).message.split('\n')[0]}`] }
      }
      results.push(r)
      opts.onRound?.(r)
    }
  } finally {
    await Promise.all([receiver.lane.kill(), sender.lane.kill()])
    await emu.close()
  }
  return { seed, results }
}

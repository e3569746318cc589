// `npm run crash-check`: kill -9 the server at random moments while it receives, sends and runs its first
// history sync, restart it on the same data, and check that nothing acknowledged or reported is lost.
//   CRASH_ROUNDS  rounds, the three scenarios in turn (default 30)
//   CRASH_SEED    the run's seed (printed by every run): replays its kill moments and loads
//   CRASH_ROUND   run only this round (1-based) of the seed's sequence
//   CRASH_HISTORY messages in each history round (default 20000, in chunks of 200)
// Exits 1 on any loss, also one a failed decryption explains (the summary tells them apart).
import { runCrashCheck } from '../test/crash/harness.js'
import { roundLine, summary, verdict } from '../test/crash/report.js'

const num = (v: string | undefined): number | undefined => (v === undefined || v === '' ? undefined : Number(v))
const rounds = num(process.env.CRASH_ROUNDS) ?? 30
const seed = num(process.env.CRASH_SEED)
const only = num(process.env.CRASH_ROUND)
const messages = num(process.env.CRASH_HISTORY)

const t0 = Date.now()
const { seed: used, results } = await runCrashCheck({
  rounds,
  seed,
  only: only === undefined ? undefined : only - 1,
  history: messages ? { messages } : undefined,
  onRound: (r) => console.log(roundLine(r))
})
console.log(`\n${summary(used, results)}\n(${Math.round((Date.now() - t0) / 1000)} s)`)
const v = verdict(results)
process.exit(v.complete ? 0 : 1)

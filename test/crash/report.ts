// The crash harness's words and figures: one line per round, a summary table, and the verdict. Pure.
import { DECRYPT, type RoundResult, type ScenarioKind } from './round.js'

const sum = (rs: RoundResult[], f: (r: RoundResult) => number | undefined): number => rs.reduce((n, r) => n + (f(r) ?? 0), 0)

/** one round, on one line */
export function roundLine(r: RoundResult): string {
  const mark = r.problems.some((p) => !p.startsWith(DECRYPT)) ? 'FAIL' : r.problems.length ? 'DECR' : 'ok  '
  const head = `round ${String(r.round + 1).padStart(2)} ${r.kind.padEnd(7)} ${mark} killed ${r.killedAt}`
  const figures =
    r.kind === 'receive'
      ? `sent ${r.sent}, acked before kill ${r.acknowledged}, acked lost ${r.ackedLost}, stored ${r.stored}, lost ${r.lost}`
      : r.kind === 'send'
        ? `reported ${r.reported}, retried ${r.retried}, missing ${r.sendsMissing}, duplicated ${r.duplicated}`
        : `history ${r.history}, stored at kill ${r.storedAtKill}, complete ${r.historyComplete ? 'yes' : 'no'}`
  const tail = `decrypt failures ${r.decryptFailures} (healed ${r.decryptHealed}), ${(r.ms / 1000).toFixed(1)} s`
  return `${head}: ${figures}; ${tail}${r.problems.length ? `\n    ${r.problems.join('\n    ')}` : ''}`
}

export interface Verdict {
  /**
   * The store's promise held: no acknowledged message lost, no reported send missing or doubled, nothing
   * lost that a failed decryption does not explain, every round ran
   */
  promiseKept: boolean
  /** and nothing lost at all: every decrypt failure healed, every history complete */
  complete: boolean
}

export function verdict(results: RoundResult[]): Verdict {
  const ran = results.length > 0
  const broken = results.some((r) => r.problems.some((p) => !p.startsWith(DECRYPT)))
  return { promiseKept: ran && !broken, complete: ran && !broken && results.every((r) => r.problems.length === 0) }
}

/** the summary table: per scenario and in total */
export function summary(seed: number, results: RoundResult[]): string {
  const kinds: ScenarioKind[] = ['receive', 'send', 'history']
  const rows: string[][] = [['', 'rounds', 'kills', 'acked', 'acked lost', 'stored', 'lost', 'of which decrypt', 'reported', 'missing', 'dup', 'history', 'decrypt failures', 'rounds failed']]
  const row = (name: string, rs: RoundResult[]): string[] => [
    name,
    String(rs.length),
    String(sum(rs, (r) => r.kills)),
    String(sum(rs, (r) => r.acknowledged)),
    String(sum(rs, (r) => r.ackedLost)),
    String(sum(rs, (r) => r.stored)),
    String(sum(rs, (r) => (r.kind === 'history' ? (r.history ?? 0) - (r.stored ?? 0) : r.lost))),
    String(sum(rs, (r) => (r.kind === 'send' ? undefined : r.decryptLosses))),
    String(sum(rs, (r) => r.reported)),
    String(sum(rs, (r) => r.sendsMissing)),
    String(sum(rs, (r) => r.duplicated)),
    rs.some((r) => r.kind === 'history') ? `${rs.filter((r) => r.historyComplete).length}/${rs.filter((r) => r.kind === 'history').length} complete` : '-',
    `${sum(rs, (r) => r.decryptFailures)} seen, ${sum(rs, (r) => r.decryptHealed)} healed`,
    String(rs.filter((r) => r.problems.some((p) => !p.startsWith(DECRYPT))).length)
  ]
  for (const k of kinds) {
    const rs = results.filter((r) => r.kind === k)
    if (rs.length) rows.push(row(k, rs))
  }
  rows.push(row('total', results))
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  const table = rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n')
  const v = verdict(results)
  const history = results.filter((r) => r.kind === 'history')
  const figures = history.length ? `; history rounds: ${history[0]!.history} messages each` : ''
  const line = v.complete
    ? 'PASS: nothing acknowledged lost, no reported send missing or doubled, every history complete, every decrypt failure healed'
    : v.promiseKept
      ? 'INCOMPLETE: nothing acknowledged lost and no reported send missing or doubled, but failed decryptions nothing healed lost messages (rounds marked DECR)'
      : 'FAIL: see the rounds marked FAIL'
  return `crash check, seed ${seed} (replay: CRASH_SEED=${seed})${figures}\n${table}\n${line}`
}

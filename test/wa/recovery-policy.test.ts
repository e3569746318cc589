import { test } from 'node:test'
import assert from 'node:assert/strict'
import { decide, initialRecoveryState, type RecoveryOptions, type RecoverySignalIn, type RecoveryState, type Decision } from '../../src/wa/recovery-policy.js'
import { decideRestart } from '../../src/wa/restart-policy.js'
import { decideHealth } from '../../src/wa/health-policy.js'
import { classifyBaileysLog } from '../../workers/whatsapp/log-signals.js'

const O: RecoveryOptions = { cooldownMs: 1000, windowMs: 60_000, softLimit: 2, restartCodes: [428, 503], restartDelayMs: 5000 }

function run(signals: RecoverySignalIn[], o = O): { state: RecoveryState; decisions: Decision[] } {
  let state = initialRecoveryState()
  const decisions: Decision[] = []
  for (const s of signals) {
    const r = decide(state, s, o)
    state = r.state
    decisions.push(r.decision)
  }
  return { state, decisions }
}

test('status codes are handled on purpose', () => {
  const at = 0
  assert.equal(run([{ kind: 'closed', code: 515, at }]).decisions[0]!.action, 'none')
  assert.equal(run([{ kind: 'closed', code: 440, at }]).decisions[0]!.action, 'stop')
  assert.equal(run([{ kind: 'closed', code: 401, at }]).decisions[0]!.action, 'none')
  assert.deepEqual(run([{ kind: 'closed', code: 503, at }]).decisions[0], { action: 'restart-worker', reason: 'stream error 503', delayMs: 0 })
  const terminated = run([{ kind: 'closed', code: 428, terminated: true, at }]).decisions[0]!
  assert.equal(terminated.action, 'restart-worker')
  assert.equal((terminated as { delayMs: number }).delayMs, 5000)
  assert.equal(run([{ kind: 'closed', code: 408, at }]).decisions[0]!.action, 'none')
})

test('a connection back before the delay cancels the pending restart', () => {
  const r = run([{ kind: 'closed', code: 428, terminated: true, at: 0 }, { kind: 'open', at: 100 }])
  assert.equal(r.decisions[1]!.action, 'cancel-restart')
  assert.equal(r.state.restartPending, false)
})

test('app-state failures: soft resync, counted once per cooldown, escalating past the soft limit', () => {
  const f = (at: number): RecoverySignalIn => ({ kind: 'app-state-key-missing', collection: 'regular', at })
  const r = run([f(0), f(10), f(500), f(2000), f(4000)])
  assert.deepEqual(r.decisions.map((d) => d.action), ['soft-resync', 'none', 'none', 'soft-resync', 'restart-worker'])
  assert.equal(r.state.counts['app-state-key-missing'], 3)
})

test('soft recoveries outside the window do not count toward the limit', () => {
  const f = (at: number): RecoverySignalIn => ({ kind: 'app-state-sync-failed', at })
  const r = run([f(0), f(2000), f(200_000)])
  assert.deepEqual(r.decisions.map((d) => d.action), ['soft-resync', 'soft-resync', 'soft-resync'])
})

test('worker restarts back off and stop after repeated deaths during boot', () => {
  assert.deepEqual(decideRestart([], 0, 0), { action: 'restart', delayMs: 0 })
  assert.equal((decideRestart([1, 2, 3], 0, 10) as { delayMs: number }).delayMs, 1000)
  assert.equal((decideRestart(Array.from({ length: 20 }, (_, i) => i), 0, 30) as { delayMs: number }).delayMs, 30_000)
  assert.equal(decideRestart([], 5, 0).action, 'give-up')
})

test('/healthz: ready, awaiting a scan, inside the grace, and stuck past it', () => {
  assert.deepEqual(decideHealth('open', true, undefined, 0, 1000), { ok: true, reason: 'ready', notReadyForMs: 0 })
  assert.equal(decideHealth('awaiting-qr', false, 0, 999_999, 1000).ok, true)
  assert.equal(decideHealth('reconnecting', true, 0, 500, 1000).reason, 'reconnecting')
  assert.deepEqual(decideHealth('reconnecting', true, 0, 1500, 1000), { ok: false, reason: 'stuck', notReadyForMs: 1500 })
  assert.equal(decideHealth('replaced', true, 0, 10, 1000).ok, false)
})

test('Baileys log lines become recovery signals, other lines do not', () => {
  const missing = classifyBaileysLog([{ name: 'regular', error: 'Error: failed to find key "abc" to decode patch\n at x' }, 'regular blocked on missing key from v3, parking after 2 attempts'])
  assert.equal(missing?.kind, 'app-state-key-missing')
  assert.equal(missing?.collection, 'regular')
  assert.equal(classifyBaileysLog([{ name: 'regular_high' }, 'failed to sync regular_high from v7, giving up'])?.kind, 'app-state-sync-failed')
  assert.equal(classifyBaileysLog(['connection opened']), undefined)
})

// The recovery policy: a pure state machine from structured signals to decisions. The shell
// (recovery-manager.ts) feeds it signals and carries out what it decides.

export interface RecoveryOptions {
  /** after a soft recovery, further app-state failures in this time are the same incident */
  cooldownMs: number
  /** soft recoveries counted within this window */
  windowMs: number
  /** soft recoveries allowed in the window before the worker is restarted */
  softLimit: number
  /** close codes that end in a worker restart when the connection is not back within the delay */
  restartCodes: readonly number[]
  restartDelayMs: number
}

export type RecoverySignalIn =
  /** terminated: the socket just went away (no stream error from the server) */
  | { kind: 'closed'; code?: number; terminated?: boolean; at: number }
  | { kind: 'open'; at: number }
  | { kind: 'app-state-key-missing' | 'app-state-sync-failed'; collection?: string; at: number }
  | { kind: 'heartbeat-missed'; at: number }
  | { kind: 'worker-exit'; at: number }

export type Decision =
  | { action: 'none'; reason: string }
  | { action: 'soft-resync'; reason: string }
  | { action: 'restart-worker'; reason: string; delayMs: number }
  | { action: 'cancel-restart'; reason: string }
  | { action: 'stop'; reason: string }

export interface RecoveryState {
  softRecoveries: number[]
  lastSoftAt?: number
  restartPending: boolean
  counts: Record<string, number>
}

export const initialRecoveryState = (): RecoveryState => ({ softRecoveries: [], restartPending: false, counts: {} })

const bump = (s: RecoveryState, key: string): RecoveryState => ({ ...s, counts: { ...s.counts, [key]: (s.counts[key] ?? 0) + 1 } })

export function decide(state: RecoveryState, sig: RecoverySignalIn, o: RecoveryOptions): { state: RecoveryState; decision: Decision } {
  switch (sig.kind) {
    case 'open':
      if (state.restartPending) return { state: { ...state, restartPending: false }, decision: { action: 'cancel-restart', reason: 'connection is open again' } }
      return { state, decision: { action: 'none', reason: 'open' } }
    case 'closed': {
      const code = sig.code
      if (code === 515) return { state: bump(state, 'restart-required'), decision: { action: 'none', reason: '515 restart required: the worker reconnects at once' } }
      if (code === 440) return { state: bump(state, 'replaced'), decision: { action: 'stop', reason: '440 replaced by another session: not reconnecting, so two devices do not fight' } }
      if (code === 401) return { state: bump(state, 'logged-out'), decision: { action: 'none', reason: '401 logged out: auth cleared, store kept, new QR' } }
      if (code !== undefined && o.restartCodes.includes(code)) {
        if (state.restartPending) return { state, decision: { action: 'none', reason: `${code} again while a restart is pending` } }
        // a dropped socket gets the worker's own reconnect first; a restart only if it is not back in time.
        // A stream error with this code is the server asking for a fresh start: restart now.
        const delayMs = sig.terminated ? o.restartDelayMs : 0
        const why = sig.terminated ? `connection terminated (${code}); restarting the worker unless it is back within ${delayMs} ms` : `stream error ${code}`
        return { state: { ...bump(state, sig.terminated ? 'terminated' : `closed-${code}`), restartPending: true }, decision: { action: 'restart-worker', reason: why, delayMs } }
      }
      return { state: bump(state, 'network'), decision: { action: 'none', reason: `connection closed (${code ?? 'no code'}): the worker reconnects with backoff` } }
    }
    case 'app-state-key-missing':
    case 'app-state-sync-failed': {
      const now = sig.at
      if (state.lastSoftAt !== undefined && now - state.lastSoftAt < o.cooldownMs) {
        return { state, decision: { action: 'none', reason: `app-state failure inside the cooldown of the last recovery: same incident` } }
      }
      const recent = state.softRecoveries.filter((t) => now - t < o.windowMs)
      const counted = bump(state, sig.kind)
      if (recent.length >= o.softLimit) {
        return { state: { ...counted, softRecoveries: [], lastSoftAt: now, restartPending: true }, decision: { action: 'restart-worker', reason: `app-state sync failed again after ${recent.length} soft recoveries in the window`, delayMs: 0 } }
      }
      return { state: { ...counted, softRecoveries: [...recent, now], lastSoftAt: now }, decision: { action: 'soft-resync', reason: `app-state sync failed (${sig.collection ?? 'unknown collection'}): resetting app-state and resyncing` } }
    }
    case 'heartbeat-missed':
      return { state: bump(state, 'heartbeat-missed'), decision: { action: 'restart-worker', reason: 'the worker missed its heartbeat', delayMs: 0 } }
    case 'worker-exit':
      return { state: { ...bump(state, 'worker-exit'), restartPending: false }, decision: { action: 'none', reason: 'the supervisor restarts an exited worker' } }
  }
}

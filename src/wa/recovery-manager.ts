// Carries out the recovery policy: listens to the worker's signals, logs one line per decision, counts
// them, and soft-resyncs or restarts the worker. Every recovery is visible in /api/status and check_auth_status.
import type { Logger } from 'pino'
import type { Supervisor } from './supervisor.js'
import { decide, initialRecoveryState, type Decision, type RecoveryOptions, type RecoverySignalIn } from './recovery-policy.js'

export interface RecoveryRecord {
  at: number
  action: Decision['action']
  reason: string
}

export class RecoveryManager {
  private state = initialRecoveryState()
  private restartTimer: NodeJS.Timeout | undefined
  readonly history: RecoveryRecord[] = []
  lastRecovery: RecoveryRecord | undefined

  constructor(private readonly wa: Supervisor, private readonly opts: RecoveryOptions & { resyncReconnect: boolean; resyncReconnectDelayMs: number }, private readonly log: Logger) {
    wa.on('signal', (s) => {
      if (s.kind === 'open') this.feed({ kind: 'open', at: s.at })
      else if (s.kind === 'closed') this.feed({ kind: 'closed', code: s.code, terminated: /^Connection (Terminated|Closed)/.test(s.reason), at: s.at })
      else this.feed({ kind: s.kind, collection: s.collection, at: s.at })
    })
    wa.on('restart', (r) => {
      if (r.cause.startsWith('heartbeat')) this.record({ action: 'restart-worker', reason: r.cause })
    })
  }

  feed(sig: RecoverySignalIn): void {
    const { state, decision } = decide(this.state, sig, this.opts)
    this.state = state
    if (decision.action === 'none' && sig.kind === 'open') return
    this.log.info({ signal: sig.kind, ...(sig.kind === 'closed' ? { code: sig.code } : {}), action: decision.action, reason: decision.reason }, 'recovery decision')
    switch (decision.action) {
      case 'soft-resync':
        this.record(decision)
        void this.softResync()
        break
      case 'restart-worker':
        this.record(decision)
        clearTimeout(this.restartTimer)
        this.restartTimer = setTimeout(() => {
          this.state = { ...this.state, restartPending: false }
          void this.wa.restart(decision.reason, { graceful: true })
        }, decision.delayMs)
        break
      case 'cancel-restart':
        clearTimeout(this.restartTimer)
        this.restartTimer = undefined
        break
      case 'stop':
        this.record(decision)
        break
      default:
        break
    }
  }

  private record(d: { action: Decision['action']; reason: string }): void {
    const r = { at: Date.now(), action: d.action, reason: d.reason }
    this.lastRecovery = r
    this.history.push(r)
    if (this.history.length > 50) this.history.shift()
  }

  private async softResync(): Promise<void> {
    try {
      await this.wa.call('forceResync')
      if (this.opts.resyncReconnect) {
        // some corruption only clears with a fresh connection: reconnect a little later, once
        setTimeout(() => void this.wa.call('reconnect').catch(() => undefined), this.opts.resyncReconnectDelayMs).unref()
      }
    } catch (err) {
      this.log.warn({ err }, 'soft recovery failed; the policy escalates if failures continue')
    }
  }

  snapshot(): Record<string, unknown> {
    return { counts: this.state.counts, restart_pending: this.state.restartPending, last_recovery: this.lastRecovery ?? null, recent: this.history.slice(-10) }
  }

  stop(): void {
    clearTimeout(this.restartTimer)
  }
}

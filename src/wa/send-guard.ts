// Exactly-once sending, as far as the caller can tell: idempotency keys (persisted), joining concurrent
// duplicates, the short implicit dedup window for key-less identical sends, and waiting for readiness.
import { createHash } from 'node:crypto'
import { AppError } from '../errors/app-error.js'
import type { IdempotencyStore } from '../store/idempotency-store.js'

export interface GuardedResult<T> {
  result: T
  deduplicated: boolean
}

export const fingerprint = (...parts: unknown[]): string => createHash('sha256').update(JSON.stringify(parts)).digest('hex')

export class SendGuard {
  private readonly inflight = new Map<string, { operation: string; print: string; done: Promise<unknown> }>()
  private readonly recent = new Map<string, { at: number; result: unknown }>()

  constructor(private readonly store: IdempotencyStore, private readonly dedupWindowMs: () => number) {}

  /**
   * Runs `send` at most once per idempotency key (24 h) or, without a key, at most once per identical
   * request inside the dedup window (0 turns that off). Concurrent duplicates share one send.
   */
  async run<T>(operation: string, print: string, key: string | undefined, send: () => Promise<T>): Promise<GuardedResult<T>> {
    if (key) {
      const stored = this.store.get(key)
      if (stored) {
        if (stored.operation !== operation || stored.fingerprint !== print) {
          throw new AppError('IDEMPOTENCY_KEY_CONFLICT', `idempotency_key "${key}" was already used for a different ${stored.operation === operation ? 'request' : stored.operation}.`)
        }
        return { result: stored.result as T, deduplicated: true }
      }
    } else {
      const window = this.dedupWindowMs()
      const hit = window > 0 ? this.recent.get(print) : undefined
      if (hit && Date.now() - hit.at < window) return { result: hit.result as T, deduplicated: true }
    }
    const joinKey = key ? `k:${key}` : `f:${print}`
    const running = this.inflight.get(joinKey)
    if (running) {
      // a key names one request: a concurrent call with other content under it is a conflict, not a join
      if (running.operation !== operation || running.print !== print) {
        throw new AppError('IDEMPOTENCY_KEY_CONFLICT', `idempotency_key "${key}" is in use by a different ${running.operation === operation ? 'request' : running.operation} right now.`)
      }
      return { result: (await running.done) as T, deduplicated: true }
    }
    const p = send()
    this.inflight.set(joinKey, { operation, print, done: p })
    try {
      const result = await p
      if (key) this.store.put(key, operation, print, result)
      else if (this.dedupWindowMs() > 0) {
        this.recent.set(print, { at: Date.now(), result })
        if (this.recent.size > 1000) this.recent.delete(this.recent.keys().next().value!)
      }
      return { result, deduplicated: false }
    } finally {
      this.inflight.delete(joinKey)
    }
  }
}

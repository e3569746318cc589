// Exactly-once sending, as far as the caller can tell: idempotency keys (persisted), joining concurrent
// duplicates, the short implicit dedup window for key-less identical sends, and waiting for readiness.
import { createHash, randomBytes } from 'node:crypto'
import { AppError } from '../errors/app-error.js'
import { pendingMessageId, type IdempotencyStore } from '../store/idempotency-store.js'

export interface GuardedResult<T> {
  result: T
  deduplicated: boolean
}

/** a WhatsApp message id in the form Baileys gives its own (3EB0 and hex) */
export const newMessageId = (): string => `3EB0${randomBytes(9).toString('hex').toUpperCase()}`

export const fingerprint = (...parts: unknown[]): string => createHash('sha256').update(JSON.stringify(parts)).digest('hex')

export class SendGuard {
  private readonly inflight = new Map<string, { operation: string; print: string; done: Promise<unknown> }>()
  private readonly recent = new Map<string, { at: number; result: unknown }>()

  /**
   * Told of every send this guard answered, when: `sent` false for one answered from an earlier send (a
   * key's record, a duplicate) that sent nothing. Pacing counts a send from when it went.
   */
  onSettled: ((result: unknown, at: number, sent: boolean) => void) | undefined

  constructor(private readonly store: IdempotencyStore, private readonly dedupWindowMs: () => number) {}

  private settled<T>(r: GuardedResult<T>): GuardedResult<T> {
    this.onSettled?.(r.result, Date.now(), false)
    return r
  }

  /** whether a send under this idempotency key was made or started already (its retry is answered from it) */
  has(key: string): boolean {
    return this.inflight.has(`k:${key}`) || this.store.get(key) !== undefined
  }

  /**
   * Runs `send` at most once per idempotency key (24 h) or, without a key, at most once per identical
   * request inside the dedup window (0 turns that off). Concurrent duplicates share one send.
   * `send` gets the WhatsApp message id to use: under a key it is chosen once and recorded before the send,
   * so a retry after a crash that cut the first attempt (sent, never answered) sends the same id again.
   */
  async run<T>(operation: string, print: string, key: string | undefined, send: (messageId: string) => Promise<T>): Promise<GuardedResult<T>> {
    let messageId = newMessageId()
    if (key) {
      const stored = this.store.get(key)
      if (stored) {
        if (stored.operation !== operation || stored.fingerprint !== print) {
          throw new AppError('IDEMPOTENCY_KEY_CONFLICT', `idempotency_key "${key}" was already used for a different ${stored.operation === operation ? 'request' : stored.operation}.`)
        }
        const pending = pendingMessageId(stored.result)
        if (!pending) return this.settled({ result: stored.result as T, deduplicated: true })
        messageId = pending
      }
    } else {
      const window = this.dedupWindowMs()
      const hit = window > 0 ? this.recent.get(print) : undefined
      if (hit && Date.now() - hit.at < window) return this.settled({ result: hit.result as T, deduplicated: true })
    }
    const joinKey = key ? `k:${key}` : `f:${print}`
    const running = this.inflight.get(joinKey)
    if (running) {
      // a key names one request: a concurrent call with other content under it is a conflict, not a join
      if (running.operation !== operation || running.print !== print) {
        throw new AppError('IDEMPOTENCY_KEY_CONFLICT', `idempotency_key "${key}" is in use by a different ${running.operation === operation ? 'request' : running.operation} right now.`)
      }
      return this.settled({ result: (await running.done) as T, deduplicated: true })
    }
    // recorded before anything leaves; a send that fails keeps it, so its retry reuses the id too
    if (key) this.store.reserve(key, operation, print, messageId)
    const p = send(messageId)
    this.inflight.set(joinKey, { operation, print, done: p })
    try {
      const result = await p
      this.onSettled?.(result, Date.now(), true)
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

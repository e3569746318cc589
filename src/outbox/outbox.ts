// The outbox: sends stored to go out later (scheduled by a client, or queued by the pacing limits), in
// SQLite, fired by one timer on the earliest due time. Exactly once across restarts and kill -9: an entry
// is taken (status sending) before its send, and the send runs under the SendGuard with a key made from the
// entry id, so a send a crash cut is resumed at start with the same WhatsApp message id (the recipient
// shows one message per id), and one that finished but was not recorded is answered from its key.
import { randomBytes } from 'node:crypto'
import type { Logger } from 'pino'
import { AppError, toAppError } from '../errors/app-error.js'
import { decideDue, decideFailure } from './outbox-policy.js'
import type { OutboxQuery, OutboxStore } from './outbox-store.js'
import type { NewOutboxEntry, OutboxEntry, OutboxExecutor } from './outbox-types.js'

export type { NewOutboxEntry, OutboxEntry, OutboxExecutor, OutboxKind, OutboxOperation, OutboxStatus, OutboxSendResult } from './outbox-types.js'

/** sends running at once; two entries to one chat never run together, so they go in their order */
export const SEND_CONCURRENCY = 4
/** due entries taken in one transaction, then started as sends finish: a burst costs a write per batch, not per entry */
export const CLAIM_BATCH = 64
/** the queue of taken entries is topped up when it is down to this many */
const REFILL_AT = CLAIM_BATCH / 4
/** entries waiting or sending, at most: a runaway agent fills a disk no faster than this lets it */
export const MAX_OPEN = 100_000
/** the timer wakes at least this often, so a change of the system clock is noticed within it */
const MAX_TIMER_MS = 60_000

export interface OutboxOptions {
  store: OutboxStore
  /** runs one entry's send (outbox-executor.ts: the send tools' own code under the SendGuard) */
  execute: OutboxExecutor
  /** whether WhatsApp takes sends now, and how to hear that it does again (returns the unsubscribe) */
  ready(): boolean
  onReady(fn: () => void): () => void
  /** the pacing limits, when they run: the earliest time a send to a chat may go (and it reserves it) */
  pacing?(): { slot(chatJid: string, now: number): number } | undefined
  /** `schedule_missed_after_s` in ms, read at each decision; 0 = never missed */
  missedAfterMs(): number
  /**
   * Whether an entry's send ever started (the SendGuard holds a message id under its key): such an entry
   * may have gone out and is never missed. Without it: taken more than once.
   */
  sendStarted?(entry: OutboxEntry): boolean
  /** told what became of each entry whose time came (the audit trail records it) */
  onSettled?(entry: OutboxEntry, outcome: OutboxOutcome): void
  log: Logger
  concurrency?: number
  maxOpen?: number
  now?: () => number
}

/** what became of an entry whose time came */
export interface OutboxOutcome {
  status: 'sent' | 'failed' | 'missed'
  messageId?: string
  code?: string
}

/** the SendGuard key of an entry's send: derived from its id, so every attempt of it shares one message id */
export const sendKeyOf = (entryId: string): string => `outbox:${entryId}`

export class Outbox {
  private readonly store: OutboxStore
  private readonly now: () => number
  private readonly concurrency: number
  private readonly maxOpen: number
  /** chats with an entry taken (running or queued here): each has at most one */
  private readonly busy = new Set<string>()
  /** taken entries waiting for a free send */
  private readonly queue: OutboxEntry[] = []
  private running = 0
  /** entries sent whose record waits for the next turn, written in one transaction */
  private sentWrites: Array<{ id: string; messageId: string; at: number }> = []
  private timer: NodeJS.Timeout | undefined
  private timerAt = Infinity
  private unsubscribeReady: (() => void) | undefined
  private started = false
  private stopped = false
  /** entries pending or sending, counted here so that add() never counts rows */
  private open = 0
  /** what happened since start, for /api/scheduled (and status figures) */
  readonly stats = { sent: 0, failed: 0, missed: 0, deferred: 0, retried: 0 }

  constructor(private readonly opts: OutboxOptions) {
    this.store = opts.store
    this.now = opts.now ?? Date.now
    this.concurrency = opts.concurrency ?? SEND_CONCURRENCY
    this.maxOpen = opts.maxOpen ?? MAX_OPEN
  }

  /** resumes the sends a crash cut, then fires what is due (what fell due while the server was down) */
  start(): void {
    const resumed = this.store.resumeInterrupted(this.now())
    if (resumed) this.opts.log.warn({ resumed }, `resuming ${resumed} outbox sends a stop cut short (each with its first message id)`)
    this.open = this.store.pendingCount()
    this.started = true
    this.arm()
  }

  /** no more sends start; running ones finish unrecorded and are resumed, same message id, at the next start */
  stop(): void {
    this.flushSent()
    this.stopped = true
    this.clearTimer()
    this.unsubscribeReady?.()
  }

  /**
   * Stores an entry to send at `dueAt`. With an idempotency key the same principal adding the same send
   * again gets the first entry back; other content under the key is IDEMPOTENCY_KEY_CONFLICT. OUTBOX_FULL
   * past MAX_OPEN entries waiting.
   */
  add(e: NewOutboxEntry): OutboxEntry {
    return this.addOnce(e).entry
  }

  /** add(), telling whether the entry existed already under its idempotency key */
  addOnce(e: NewOutboxEntry): { entry: OutboxEntry; deduplicated: boolean } {
    if (e.idempotencyKey) {
      const had = this.store.byKey(e.principalId, e.idempotencyKey)
      if (had) {
        if (had.operation !== e.operation || had.chatJid !== e.chatJid || JSON.stringify(had.args) !== JSON.stringify(e.args)) {
          throw new AppError('IDEMPOTENCY_KEY_CONFLICT', `idempotency_key "${e.idempotencyKey}" was already used for a different scheduled send (${had.id}).`, { id: had.id })
        }
        return { entry: had, deduplicated: true }
      }
    }
    if (this.open >= this.maxOpen) throw new AppError('OUTBOX_FULL', `${this.open} sends are waiting already; cancel some or wait for them to go.`, { limit: this.maxOpen })
    const entry = this.store.insert(`ob_${randomBytes(12).toString('base64url')}`, e, this.now())
    this.open++
    if (this.started && entry.dueAt < this.timerAt) this.arm()
    return { entry, deduplicated: false }
  }

  /**
   * Cancels a pending entry: it never goes. A cancelled one answers as it is. SCHEDULED_NOT_FOUND,
   * SCHEDULED_ALREADY_SENT (it went: data.message_id), SCHEDULED_NOT_PENDING (sending now, missed, failed).
   */
  cancel(id: string): OutboxEntry {
    const e = this.store.get(id)
    if (!e) throw new AppError('SCHEDULED_NOT_FOUND', `No scheduled send ${id}.`, { id })
    if (e.status === 'cancelled') return e
    if (e.status === 'sent') throw new AppError('SCHEDULED_ALREADY_SENT', `${id} was sent already, at ${new Date(e.sentAt ?? e.updatedAt).toISOString()}.`, { id, message_id: e.messageId })
    if (e.status !== 'pending') throw new AppError('SCHEDULED_NOT_PENDING', `${id} is ${e.status}${e.status === 'sending' ? ' right now' : ''}; only a pending send can be cancelled.`, { id, status: e.status })
    this.store.set(id, 'cancelled', this.now())
    this.open--
    return this.store.get(id)!
  }

  get(id: string): OutboxEntry | undefined {
    return this.store.get(id)
  }

  /** the entry a principal added under an idempotency key */
  byKey(principalId: string, key: string): OutboxEntry | undefined {
    return this.store.byKey(principalId, key)
  }

  list(q: OutboxQuery): OutboxEntry[] {
    return this.store.list(q)
  }

  counts(): Record<string, number> {
    return { open: this.open, ...this.store.counts() }
  }

  private clearTimer(): void {
    clearTimeout(this.timer)
    this.timer = undefined
    this.timerAt = Infinity
  }

  /** one timer, on the earliest pending entry of a chat without a send running */
  private arm(): void {
    this.clearTimer()
    if (this.stopped || this.unsubscribeReady) return
    const next = this.store.nextDue([...this.busy])
    if (next === undefined) return
    const now = this.now()
    // enough taken already: the send that brings the queue down to REFILL_AT takes more
    if (next <= now && this.queue.length > REFILL_AT) return
    this.timerAt = next
    this.timer = setTimeout(() => this.fire(), Math.min(Math.max(0, next - now), MAX_TIMER_MS))
  }

  private fire(): void {
    this.clearTimer()
    if (this.stopped) return
    if (!this.opts.ready()) return this.waitReady()
    const room = CLAIM_BATCH - this.queue.length
    if (room > 0) {
      for (const e of this.store.claim(this.now(), room, [...this.busy])) {
        this.busy.add(e.chatJid)
        this.queue.push(e)
      }
    }
    this.pump()
    this.arm()
  }

  /** starts queued entries while sends are free */
  private pump(): void {
    while (!this.stopped && this.running < this.concurrency && this.queue.length) this.handle(this.queue.shift()!, this.now())
  }

  /** WhatsApp is not ready: entries wait (not fail), and fire once it is */
  private waitReady(): void {
    if (this.unsubscribeReady) return
    this.unsubscribeReady = this.opts.onReady(() => {
      this.unsubscribeReady?.()
      this.unsubscribeReady = undefined
      this.arm()
    })
  }

  private handle(e: OutboxEntry, now: number): void {
    const d = decideDue(e, now, this.opts.missedAfterMs(), this.opts.sendStarted?.(e) ?? e.attempts > 1, () => this.opts.pacing?.()?.slot(e.chatJid, now))
    if (d.action !== 'send') {
      if (d.action === 'missed') {
        this.finish(e, 'missed', { errorCode: 'SCHEDULED_MISSED', errorMessage: `due ${new Date(e.dueAt).toISOString()}, ${Math.round(d.lateMs / 1000)} s late when it could go: past schedule_missed_after_s` })
        this.stats.missed++
      } else {
        this.store.set(e.id, 'pending', now, { dueAt: d.dueAt, tried: -1 })
        this.stats.deferred++
      }
      this.busy.delete(e.chatJid)
      return
    }
    this.running++
    this.opts.execute(e).then(
      (r) => this.sent(e, r.messageId),
      (err: unknown) => this.failed(e, toAppError(err))
    ).finally(() => {
      this.running--
      this.busy.delete(e.chatJid)
      if (this.stopped) return
      if (this.queue.length > REFILL_AT) this.pump()
      else this.fire()
    })
  }

  /**
   * Recorded on the next turn with the others that finished in this one. A crash before the write leaves
   * the entry "sending": resumed at start, the SendGuard answers it from its key's record, nothing goes twice.
   */
  private sent(e: OutboxEntry, messageId: string): void {
    if (this.stopped) return
    if (!this.sentWrites.length) setImmediate(() => this.flushSent())
    this.sentWrites.push({ id: e.id, messageId, at: this.now() })
    this.open--
    this.stats.sent++
    this.opts.onSettled?.(e, { status: 'sent', messageId })
  }

  private flushSent(): void {
    if (this.stopped || !this.sentWrites.length) return
    const writes = this.sentWrites
    this.sentWrites = []
    this.store.batch(() => {
      for (const w of writes) this.store.set(w.id, 'sent', w.at, { messageId: w.messageId, sentAt: w.at })
    })
  }

  private failed(e: OutboxEntry, err: AppError): void {
    if (this.stopped) return
    const now = this.now()
    const d = decideFailure(err.code, e.attempts, now)
    if (d.action === 'fail') {
      this.opts.log.warn({ id: e.id, code: err.code, attempts: e.attempts }, 'an outbox send failed')
      this.finish(e, 'failed', { errorCode: err.code, errorMessage: err.message.slice(0, 500) })
      this.stats.failed++
    } else {
      // waiting for WhatsApp is not an attempt; a retry keeps its due time moved by the backoff
      this.store.set(e.id, 'pending', now, d.action === 'retry' ? { dueAt: d.dueAt, errorCode: err.code, errorMessage: err.message.slice(0, 500) } : { tried: -1 })
      this.stats.retried++
    }
  }

  private finish(e: OutboxEntry, status: 'missed' | 'failed', f: { errorCode?: string; errorMessage?: string }): void {
    // after stop() the store may be closed: the entry stays "sending" and is resumed at the next start
    if (this.stopped) return
    this.store.set(e.id, status, this.now(), f)
    this.open--
    this.opts.onSettled?.(e, { status, code: f.errorCode })
  }
}

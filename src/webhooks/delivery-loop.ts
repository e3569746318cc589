// The webhook sender's loop, on the main thread: it learns of new events from the write queue's
// onWritten (no polling), turns them into delivery rows (outbox.ts), and sends what is due with bounded
// concurrency, recording outcomes in batches. A delivery in flight when the process dies is still pending
// on disk and is sent again at the next start: at-least-once, deduplicated by the receiver on webhook-id.
import type { Logger } from 'pino'
import type { EventsRepo } from '../store/events-repo.js'
import type { EventCursors } from '../mcp/event-cursor.js'
import { toEvent } from '../mcp/event-json.js'
import type { Outbox, Delivery, AttemptRecord, NewDelivery } from './outbox.js'
import type { WebhookSender } from './sender.js'
import { decide, type RetryPolicy } from './retry-policy.js'
import { signDelivery, secretKey } from './signature.js'
import { endpointWants, type Endpoint } from './endpoint-config.js'

/** events read from the log per step; more are taken in the next turn, so a backlog never holds the loop */
const EVENTS_PER_STEP = 500
/** settled deliveries stay in the log this long */
const LOG_KEEP_MS = 7 * 86_400_000
const PRUNE_EVERY_MS = 10 * 60_000

export interface DeliveryLoopDeps {
  outbox: Outbox
  events: EventsRepo
  cursors: EventCursors
  sender: WebhookSender
  policy: RetryPolicy
  /** WEBHOOK_CONCURRENCY: attempts in flight at once, all endpoints together */
  concurrency: number
  /** the configured endpoints, read each time (settings apply live) */
  endpoints: () => readonly Endpoint[]
  /** turns an endpoint off (after a 410) */
  disable: (id: string) => Promise<void>
  log: Logger
  now?: () => number
  rand?: () => number
}

export class DeliveryLoop {
  private readonly inFlight = new Set<string>()
  private results: Array<AttemptRecord & { key: string }> = []
  private scheduled = false
  /** the log may hold events past the cursors: set by wake(), cleared once a step has read them all */
  private unread = true
  private timer: NodeJS.Timeout | undefined
  private timerAt = Infinity
  private stopped = false
  private lastPrune = 0
  private readonly now: () => number
  private readonly rand: () => number
  /** counters since the start, for /api/webhooks and the bench */
  readonly stats = { delivered: 0, failedAttempts: 0, dead: 0 }

  constructor(private readonly d: DeliveryLoopDeps) {
    this.now = d.now ?? Date.now
    this.rand = d.rand ?? Math.random
  }

  /** reconciles cursors with the endpoints and starts sending what is pending */
  start(): void {
    this.syncEndpoints()
    this.wake()
  }

  /**
   * Call when the endpoints changed: a new one starts at the log's newest event (it gets what happens from
   * now on), a removed one loses its cursor and pending rows. A store that is not the one the cursors were
   * taken on (a new DB_PATH) restarts every cursor at its newest event.
   */
  syncEndpoints(): void {
    const { last } = this.d.events.bounds()
    const storeId = this.d.events.storeId()
    const have = this.d.outbox.cursors()
    const sameStore = this.d.outbox.meta('store_id') === storeId
    const eps = this.d.endpoints()
    const moves = new Map<string, number>()
    for (const e of eps) if (!have.has(e.id) || !sameStore) moves.set(e.id, last)
    if (moves.size) this.d.outbox.enqueue([], moves)
    if (!sameStore) this.d.outbox.setMeta('store_id', storeId)
    for (const id of have.keys()) {
      if (eps.some((e) => e.id === id)) continue
      this.d.outbox.dropEndpoint(id)
      this.d.sender.drop(id)
    }
    this.wake()
  }

  /** new events may be committed (or the endpoints changed): runs one step soon, which reads them */
  wake(): void {
    this.unread = true
    this.schedule()
  }

  /** an outcome is in or a retry is due: runs one step soon */
  private schedule(): void {
    if (this.scheduled || this.stopped) return
    this.scheduled = true
    setImmediate(() => {
      this.scheduled = false
      try {
        this.step()
      } catch (err) {
        // a failing outbox must not take the server down; the next wake tries again
        this.d.log.error({ err }, 'webhook step failed')
        this.arm(this.now() + 1000)
      }
    })
  }

  private step(): void {
    if (this.stopped) return
    this.flush()
    if (this.unread) this.unread = this.enqueueNew()
    const enabled = this.d.endpoints().filter((e) => e.enabled)
    const byId = new Map(enabled.map((e) => [e.id, e]))
    const now = this.now()
    const free = this.d.concurrency - this.inFlight.size
    if (free > 0 && byId.size) {
      for (const row of this.d.outbox.due([...byId.keys()], now, free + this.inFlight.size)) {
        const key = `${row.endpoint_id}:${row.seq}`
        if (this.inFlight.has(key)) continue
        if (this.inFlight.size >= this.d.concurrency) break
        this.inFlight.add(key)
        void this.attempt(row, byId.get(row.endpoint_id)!, key)
      }
    }
    if (this.unread) this.schedule()
    const next = byId.size ? this.d.outbox.nextDueAt([...byId.keys()]) : null
    if (next !== null && next > now) this.arm(next)
    if (now - this.lastPrune > PRUNE_EVERY_MS) {
      this.lastPrune = now
      this.d.outbox.prune(now - LOG_KEEP_MS)
    }
  }

  /** rows for the events after each cursor; true when the log has more than one step took */
  private enqueueNew(): boolean {
    const eps = this.d.endpoints()
    if (!eps.length) return false
    const cursors = this.d.outbox.cursors()
    // an endpoint without a cursor yet is left to syncEndpoints, which starts it at the newest event
    const from = Math.min(...eps.map((e) => cursors.get(e.id) ?? Infinity))
    if (!Number.isFinite(from)) return false
    const { events, last } = this.d.events.page({ after: from, limit: EVENTS_PER_STEP })
    const { first } = this.d.events.bounds()
    if (first !== null && from < first - 1) this.d.log.warn({ from, first }, 'webhook cursors were behind the event log\'s retention: events in between are not delivered')
    const rows: NewDelivery[] = []
    const moves = new Map<string, number>()
    const upTo = events.length === EVENTS_PER_STEP ? events.at(-1)!.seq : last
    for (const e of eps) {
      const after = cursors.get(e.id)
      if (after === undefined || after >= upTo) continue
      moves.set(e.id, upTo)
      // a disabled endpoint is skipped past: it gets nothing of what happens while it is off
      if (!e.enabled) continue
      for (const ev of events) {
        if (ev.seq <= after || !endpointWants(e, ev.kind, ev.chat_jid)) continue
        const body = JSON.stringify({ id: String(ev.seq), type: ev.kind, timestamp: new Date(ev.at).toISOString(), data: toEvent(this.d.cursors, ev) })
        rows.push({ endpointId: e.id, seq: ev.seq, kind: ev.kind, chat: ev.chat_jid, body })
      }
    }
    if (moves.size) this.d.outbox.enqueue(rows, moves, this.now())
    return events.length === EVENTS_PER_STEP
  }

  private async attempt(row: Delivery, ep: Endpoint, key: string): Promise<void> {
    const id = String(row.seq)
    const headers = signDelivery(secretKey(ep.secret), id, Math.floor(this.now() / 1000), row.body)
    const outcome = await this.d.sender.post(ep.id, ep.url, headers, row.body)
    const attempts = row.attempts + 1
    const now = this.now()
    const decision = decide(this.d.policy, outcome, attempts, row.queued_at, now, this.rand())
    const lastStatus = 'status' in outcome ? outcome.status : null
    const lastError = decision.action === 'delivered' ? null : decision.action === 'retry' ? ('error' in outcome ? outcome.error : `HTTP ${outcome.status}`) : decision.reason
    const status = decision.action === 'delivered' ? 'delivered' : decision.action === 'retry' ? 'pending' : 'dead'
    this.results.push({ key, endpointId: ep.id, seq: row.seq, status, attempts, nextAt: decision.action === 'retry' ? decision.at : now, lastStatus, lastError, at: now })
    if (status === 'delivered') this.stats.delivered++
    else this.stats.failedAttempts++
    if (status === 'dead') {
      this.stats.dead++
      this.d.log.warn({ endpoint: ep.id, event: row.seq, attempts, reason: lastError }, 'webhook delivery gave up')
    }
    if (decision.action === 'disable') void this.d.disable(ep.id).catch((err: unknown) => this.d.log.error({ err, endpoint: ep.id }, 'could not disable a gone webhook endpoint'))
    // the slot is freed when the outcome is written (flush), so no step picks up the same delivery again
    this.schedule()
  }

  private flush(): void {
    if (!this.results.length) return
    const batch = this.results
    this.results = []
    try {
      this.d.outbox.record(batch)
    } finally {
      for (const r of batch) this.inFlight.delete(r.key)
    }
  }

  private arm(at: number): void {
    if (this.timer && at >= this.timerAt) return
    clearTimeout(this.timer)
    this.timerAt = at
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.timerAt = Infinity
      this.schedule()
    }, Math.max(0, at - this.now()))
  }

  /** stops sending; outcomes already in are written, attempts in flight stay pending on disk */
  stop(): void {
    this.stopped = true
    clearTimeout(this.timer)
    this.flush()
  }
}

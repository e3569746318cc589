// The webhooks actor as the rest of the server sees it: endpoint CRUD (persisted in the settings file),
// the delivery log and "send again", and the loop that sends. Built by app/server.ts, used by the
// /api/webhooks routes; the write queue's onWritten calls wake().
import type { Logger } from 'pino'
import type { Config } from '../config/load-config.js'
import type { SettingsStore } from '../settings/settings.js'
import type { EventsRepo } from '../store/events-repo.js'
import type { EventCursors } from '../mcp/event-cursor.js'
import { AppError } from '../errors/app-error.js'
import { webhooksPath } from '../store/private-paths.js'
import { Outbox, type DeliveryStatus } from './outbox.js'
import { WebhookSender } from './sender.js'
import { DeliveryLoop } from './delivery-loop.js'
import { applyEndpointInput, MAX_ENDPOINTS, toPublicEndpoint, type Endpoint, type PublicEndpoint } from './endpoint-config.js'

export interface WebhooksDeps {
  config: Config
  settings: SettingsStore
  events: EventsRepo
  cursors: EventCursors
  /** a chat filter entry as the canonical JID, or null */
  canonicalChat(input: string): string | null
  log: Logger
}

export type EndpointView = PublicEndpoint & { deliveries: Record<DeliveryStatus, number> }

export class Webhooks {
  readonly outbox: Outbox
  readonly loop: DeliveryLoop
  private readonly sender: WebhookSender
  /** endpoint changes one at a time: each reads the list the previous one saved */
  private chain: Promise<unknown> = Promise.resolve()

  constructor(private readonly d: WebhooksDeps) {
    const c = d.config
    this.outbox = new Outbox(webhooksPath(c.DATA_DIR))
    this.sender = new WebhookSender({ allowPrivate: c.WEBHOOK_ALLOW_PRIVATE, timeoutMs: c.WEBHOOK_TIMEOUT_MS })
    this.loop = new DeliveryLoop({
      outbox: this.outbox,
      events: d.events,
      cursors: d.cursors,
      sender: this.sender,
      policy: { maxAttempts: c.WEBHOOK_MAX_ATTEMPTS, maxAgeMs: c.WEBHOOK_MAX_AGE_HOURS * 3_600_000, baseMs: c.WEBHOOK_RETRY_BASE_MS, capMs: Math.max(c.WEBHOOK_RETRY_MAX_MS, c.WEBHOOK_RETRY_BASE_MS) },
      concurrency: c.WEBHOOK_CONCURRENCY,
      endpoints: () => d.settings.current().webhooks,
      disable: (id) => this.update(id, { enabled: false }).then(() => undefined),
      log: d.log
    })
  }

  start(): void {
    this.loop.start()
  }

  /** new events are committed */
  wake(): void {
    this.loop.wake()
  }

  private endpoints(): Endpoint[] {
    return this.d.settings.current().webhooks
  }

  private find(id: string): Endpoint {
    const e = this.endpoints().find((x) => x.id === id)
    if (!e) throw new AppError('WEBHOOK_NOT_FOUND', `No webhook endpoint ${JSON.stringify(id.slice(0, 60))}.`)
    return e
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn)
    this.chain = run.catch(() => undefined)
    return run
  }

  private async save(list: Endpoint[]): Promise<void> {
    await this.d.settings.setWebhooks(list)
    this.loop.syncEndpoints()
  }

  private checks() {
    return { allowPrivate: this.d.config.WEBHOOK_ALLOW_PRIVATE, canonicalChat: this.d.canonicalChat }
  }

  /** every endpoint, without secrets, with its delivery counts */
  list(): EndpointView[] {
    const counts = this.outbox.counts()
    return this.endpoints().map((e) => ({ ...toPublicEndpoint(e), deliveries: counts.get(e.id) ?? { pending: 0, delivered: 0, dead: 0 } }))
  }

  /** adds an endpoint; the secret is in the answer only when the server generated it */
  create(input: unknown): Promise<{ endpoint: PublicEndpoint; secret?: string }> {
    return this.serial(async () => {
      if (this.endpoints().length >= MAX_ENDPOINTS) throw new AppError('WEBHOOK_INVALID', `At most ${MAX_ENDPOINTS} webhook endpoints.`, { fields: { url: 'too many endpoints' } })
      const { endpoint, generatedSecret } = await applyEndpointInput(input, undefined, this.checks())
      await this.save([...this.endpoints(), endpoint])
      return { endpoint: toPublicEndpoint(endpoint), ...(generatedSecret ? { secret: generatedSecret } : {}) }
    })
  }

  update(id: string, input: unknown): Promise<PublicEndpoint> {
    return this.serial(async () => {
      const prev = this.find(id)
      const { endpoint } = await applyEndpointInput(input, prev, this.checks())
      await this.save(this.endpoints().map((e) => (e.id === id ? endpoint : e)))
      if (endpoint.enabled) this.loop.wake()
      return toPublicEndpoint(endpoint)
    })
  }

  remove(id: string): Promise<void> {
    return this.serial(async () => {
      this.find(id)
      await this.save(this.endpoints().filter((e) => e.id !== id))
    })
  }

  /** the delivery log, newest event first */
  deliveries(q: { endpointId?: string; status?: DeliveryStatus; before?: number; limit: number }) {
    if (q.endpointId) this.find(q.endpointId)
    return this.outbox.list(q)
  }

  /** "send again": a delivered or dead delivery is pending again, due now */
  resend(endpointId: string, seq: number) {
    this.find(endpointId)
    if (!this.outbox.requeue(endpointId, seq)) throw new AppError('WEBHOOK_DELIVERY_NOT_FOUND', `No delivery of event ${seq} to ${endpointId} in the log.`)
    this.loop.wake()
    return this.outbox.get(endpointId, seq)!
  }

  stop(): void {
    this.loop.stop()
    this.sender.close()
    this.outbox.close()
  }
}

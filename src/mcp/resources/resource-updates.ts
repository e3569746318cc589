// Tells subscribed sessions that a resource changed: after each committed write, the chats that got an
// event map to the resources that show them, and every session subscribed to one of those hears
// notifications/resources/updated on its GET stream.
import type { SessionRegistry } from '../sessions.js'
import { sseEvent } from '../session.js'
import { CHATS_URI, INBOX_URI, chatUri } from './whatsapp.js'
import type { ServerEvents } from '../server-events.js'
import type { Principal } from '../../access/principal.js'

/** how many recent latencies the quantiles are taken over */
const LATENCY_WINDOW = 4096

export class ResourceUpdates {
  private readonly latencies = new Float64Array(LATENCY_WINDOW)
  private recorded = 0

  /** `events`: where the 2026 listen streams hear the same updates */
  /** `sees`: whether a principal may hear of a chat (its scope and the chat policy) */
  constructor(private readonly sessions: SessionRegistry, private readonly events?: ServerEvents, private readonly sees: (p: Principal, chat: string) => boolean = () => true) {}

  /**
   * Chats whose state or messages changed in a committed write; `since` is when the WhatsApp worker handed
   * the oldest of its batches over, for the latency from there to the last notification written.
   */
  changed(chats: readonly string[], since?: number): void {
    if (!chats.length) return
    const uris = new Set([CHATS_URI, INBOX_URI, ...chats.map(chatUri)])
    if (this.events?.listening) for (const uri of uris) this.events.emit({ kind: 'resourceUpdated', uri, sessionsTold: true, ...(uri === CHATS_URI || uri === INBOX_URI ? { chats } : {}) })
    let told = 0
    for (const session of this.sessions.all()) {
      const subs = session.subscriptions
      if (!subs?.size) continue
      // a change in chats the session may not see tells it nothing, not even that the lists moved
      let hidden: Set<string> | undefined
      for (const c of chats) if (!this.sees(session.principal, c)) (hidden ??= new Set()).add(chatUri(c))
      if (hidden?.size === chats.length) continue
      for (const uri of subs) if (uris.has(uri) && !hidden?.has(uri) && session.broadcast(sseEvent({ jsonrpc: '2.0', method: 'notifications/resources/updated', params: { uri } }))) told++
    }
    if (told && since !== undefined && Number.isFinite(since)) this.latencies[this.recorded++ % LATENCY_WINDOW] = Date.now() - since
  }

  /** milliseconds from the worker's hand-over to the last notification of that write: p50 and p99 of the recent ones */
  latency(): { count: number; p50_ms: number | null; p99_ms: number | null } {
    const n = Math.min(this.recorded, LATENCY_WINDOW)
    if (!n) return { count: 0, p50_ms: null, p99_ms: null }
    const sorted = Array.from(this.latencies.subarray(0, n)).sort((a, b) => a - b)
    const at = (q: number) => sorted[Math.min(n - 1, Math.floor(q * n))]!
    return { count: this.recorded, p50_ms: at(0.5), p99_ms: at(0.99) }
  }
}

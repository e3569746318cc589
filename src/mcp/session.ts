// One MCP session: a few hundred bytes while idle. Holds what the protocol needs between requests.
import type { CallAbort } from './call-abort.js'
import { OPEN_PRINCIPAL, type Principal } from '../access/principal.js'
import { encodeMessage, encodedText, type Id, type RpcResponse } from './protocol.js'

/** responses kept for a client that has not reopened its GET stream; past it the oldest are dropped */
export const UNDELIVERED_MAX = 64

export type SseWriter = { write(event: string): boolean; close(): void; closed: boolean }

export class McpSession {
  lastSeen = Date.now()
  initialized = false
  logLevel = 'info'
  /** who created the session (2025) or sends the request (2026): every call on it is judged by this */
  principal: Principal = OPEN_PRINCIPAL
  /** requests in flight, for notifications/cancelled */
  readonly inflight = new Map<Id, CallAbort>()
  /** open GET streams: where notifications go when no request stream is open */
  streams: SseWriter[] = []
  /** server -> client requests (sampling, elicitation) waiting for the client's answer */
  readonly pending = new Map<string, (r: RpcResponse) => void>()
  subscriptions: Set<string> | undefined
  /** responses whose stream closed before they were ready: delivered on the next GET stream (SEP-1699) */
  undelivered: string[] = []
  private nextId = 0
  private nextEvent = 0

  eventId(): string {
    return `${this.id.slice(0, 8)}-${++this.nextEvent}`
  }

  constructor(readonly id: string, readonly protocolVersion: string, readonly clientInfo: unknown, readonly clientCapabilities: Record<string, unknown>, readonly bytes = 0) {}

  get busy(): boolean {
    return this.inflight.size > 0 || this.streams.length > 0
  }

  serverRequestId(): string {
    return `s${++this.nextId}`
  }

  /**
   * A response whose stream closed, for the next GET stream. A client that keeps closing streams and never
   * reconnects would grow this without end: only the newest UNDELIVERED_MAX are kept.
   */
  holdUndelivered(event: string): void {
    this.undelivered.push(event)
    if (this.undelivered.length > UNDELIVERED_MAX) this.undelivered.splice(0, this.undelivered.length - UNDELIVERED_MAX)
  }

  /** a notification for the session's GET stream(s); false when nobody listens */
  broadcast(event: string): boolean {
    this.streams = this.streams.filter((s) => !s.closed)
    let sent = false
    for (const s of this.streams) sent = s.write(event) || sent
    return sent
  }

  close(): void {
    for (const c of this.inflight.values()) c.abort()
    for (const s of this.streams) s.close()
    this.streams = []
    for (const [, resolve] of this.pending) resolve({ jsonrpc: '2.0', id: null, error: { code: -32000, message: 'session closed' } })
    this.pending.clear()
  }
}

export const sseEvent = (msg: unknown): string => `event: message\ndata: ${encodedText(encodeMessage(msg))}\n\n`

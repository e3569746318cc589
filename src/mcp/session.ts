// One MCP session: a few hundred bytes while idle. Holds what the protocol needs between requests.
import type { CallAbort } from './call-abort.js'
import { OPEN_PRINCIPAL, type Principal } from '../access/principal.js'
import { encodeMessage, encodedText, type Id, type RpcResponse } from './protocol.js'
import { ReplayLog } from './replay-log.js'

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
  /** server -> client requests (sampling, elicitation) waiting for the client's answer; made on first use (a stateless call gets a session of its own and seldom needs it) */
  get pending(): Map<string, (r: RpcResponse) => void> {
    return (this.pendingMap ??= new Map())
  }
  private pendingMap: Map<string, (r: RpcResponse) => void> | undefined
  subscriptions: Set<string> | undefined
  /** what request streams said, for a resume with Last-Event-ID; made on the first stream */
  replay: ReplayLog | undefined
  /** request streams whose call still runs, each with the GET stream that resumed it, if one did; made on the first stream */
  get running(): Map<number, SseWriter | undefined> {
    return (this.runningMap ??= new Map())
  }
  private runningMap: Map<number, SseWriter | undefined> | undefined
  private nextId = 0
  private nextStream = 0
  private nextSeq = 0

  /** a new request stream's number; its priming event is `<n>-0` */
  openStream(): number {
    this.replay ??= new ReplayLog()
    this.running.set(++this.nextStream, undefined)
    return this.nextStream
  }

  /** the call of a request stream answered: a GET that resumed it is done too */
  endStream(stream: number): void {
    this.running.get(stream)?.close()
    this.running.delete(stream)
  }

  /** the sequence number of a stream's next event (unique in the session) */
  seq(): number {
    return ++this.nextSeq
  }

  constructor(readonly id: string, readonly protocolVersion: string, readonly clientInfo: unknown, readonly clientCapabilities: Record<string, unknown>, readonly bytes = 0) {}

  get busy(): boolean {
    return this.inflight.size > 0 || this.streams.length > 0 || (this.runningMap?.size ?? 0) > 0
  }

  serverRequestId(): string {
    return `s${++this.nextId}`
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
    for (const w of this.runningMap?.values() ?? []) w?.close()
    this.runningMap?.clear()
    this.replay?.clear()
    for (const [, resolve] of this.pendingMap ?? []) resolve({ jsonrpc: '2.0', id: null, error: { code: -32000, message: 'session closed' } })
    this.pendingMap?.clear()
  }
}

export const sseEvent = (msg: unknown): string => `event: message\ndata: ${encodedText(encodeMessage(msg))}\n\n`

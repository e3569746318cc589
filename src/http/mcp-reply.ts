// The way back to a 2025 client for one POST: JSON, or an SSE stream once a call says something before its
// result. Every event of such a stream is logged on the session (replay-log.ts) under the id
// `<stream>-<seq>`, so a client whose connection broke resumes it with GET and Last-Event-ID and still gets
// the result; a resume takes over the stream until its call is answered.
import type { HttpResponse } from './uws.js'
import type { ResState } from './respond.js'
import { openSse } from './sse.js'
import { sseEvent, type McpSession, type SseWriter } from '../mcp/session.js'
import type { RpcResponse } from '../mcp/protocol.js'
import { AppError } from '../errors/app-error.js'
import { parseEventId } from '../mcp/replay-log.js'

/**
 * One POST's reply, and the hooks its calls use to say something before their result. A class, not
 * closures: most replies never need any of it.
 */
export class Reply {
  stream: SseWriter | undefined
  detached = false
  private streamNo = 0

  constructor(
    readonly res: HttpResponse,
    readonly st: ResState,
    readonly session: McpSession,
    readonly canSse: boolean
  ) {}

  /** a stream starts with a priming event (an id, a retry hint, no data), so a client can resume it */
  startStream(): SseWriter {
    const w = openSse(this.res, this.st)
    this.streamNo = this.session.openStream()
    w.write(`id: ${this.streamNo}-0\nretry: 1000\ndata: \n\n`)
    this.stream = w
    return w
  }

  /** true once the reply is (or was) a stream: its events are then logged and resumable */
  get streaming(): boolean {
    return this.streamNo > 0
  }

  /**
   * One event of this stream: logged, then written to the GET that resumed the stream, else to the
   * POST's own connection while it is open. False when neither took it.
   */
  private send(msg: unknown, final: boolean): ReturnType<NonNullable<McpSession['replay']>['add']> {
    const s = this.session
    const seq = s.seq()
    const text = `id: ${this.streamNo}-${seq}\n${sseEvent(msg)}`
    const entry = s.replay!.add(this.streamNo, seq, text, final)
    const resumer = s.running.get(this.streamNo)
    entry.delivered = (!!resumer && resumer.write(text)) || (!!this.stream && !this.detached && this.stream.write(text))
    // nobody holds the stream: a standalone GET stream carries it, and a later resume skips it
    if (!entry.delivered && s.broadcast(text)) entry.delivered = entry.elsewhere = true
    return entry
  }

  private early(msg: unknown): boolean {
    if (!this.stream && this.canSse && !this.detached) this.startStream()
    if (this.streaming) return this.send(msg, false).delivered
    return this.session.broadcast(sseEvent(msg))
  }

  /** the server ends the stream before the result (SEP-1699): the client resumes it to get the result */
  closeStream(): void {
    if (!this.stream && this.canSse) this.startStream()
    this.detached = true
    this.stream?.close()
  }

  notify(method: string, params: Record<string, unknown>): void {
    this.early({ jsonrpc: '2.0', method, params })
  }

  request(method: string, params: Record<string, unknown>, timeoutMs = 60_000): Promise<Record<string, unknown>> {
    const session = this.session
    return new Promise<Record<string, unknown>>((resolve, reject) => {
      const id = session.serverRequestId()
      const t = setTimeout(() => {
        session.pending.delete(id)
        reject(new AppError('TIMEOUT', `The client did not answer ${method} in time.`))
      }, timeoutMs)
      session.pending.set(id, (resp) => {
        clearTimeout(t)
        if (resp.error) reject(new AppError('INVALID_INPUT', `The client refused ${method}: ${resp.error.message}`))
        else resolve(resp.result as Record<string, unknown>)
      })
      if (!this.early({ jsonrpc: '2.0', id, method, params })) {
        clearTimeout(t)
        session.pending.delete(id)
        reject(new AppError('NOT_ACCEPTABLE', `Cannot send ${method}: the client has no open stream.`))
      }
    })
  }

  /** the call's responses on the stream, which then ends (and with it a GET that resumed it) */
  finish(responses: RpcResponse[]): void {
    for (const x of responses) this.send(x, true)
    this.session.endStream(this.streamNo)
    this.stream?.close()
  }
}

/**
 * A GET with Last-Event-ID naming a request stream of this session: what the stream said after that id,
 * then (while its call runs) whatever it says next. False when the id names nothing kept, so the caller
 * opens a plain GET stream instead.
 */
export function resumeStream(session: McpSession, lastEventId: string | undefined, res: HttpResponse, st: ResState): boolean {
  const at = parseEventId(lastEventId)
  if (!at || !session.replay) return false
  const running = session.running.has(at.stream)
  if (!running && !session.replay.has(at.stream)) return false
  const w = openSse(res, st)
  let ended = false
  for (const e of session.replay.after(at.stream, at.seq)) {
    e.delivered = w.write(e.text) || e.delivered
    ended ||= e.final
  }
  if (ended || !running) {
    w.close()
    return true
  }
  // a newer resume of the same stream wins: the older connection is the one the client gave up
  session.running.get(at.stream)?.close()
  session.running.set(at.stream, w)
  const prev = st.onAbort
  st.onAbort = () => {
    prev?.()
    if (session.running.get(at.stream) === w) session.running.set(at.stream, undefined)
  }
  return true
}

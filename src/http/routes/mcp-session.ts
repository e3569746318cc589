// /mcp for the session era (2025-11-25 and older): the uWS side of session-gate.ts. initialize opens a
// session; the other requests of a POST are answered as JSON or on a stream (mcp-reply.ts); GET opens the
// session's stream for notifications, or resumes a request stream that broke (Last-Event-ID).
import type { HttpResponse } from '../uws.js'
import type { RequestInfo } from '../router.js'
import { wireBody } from '../wire-buffer.js'
import { sendJson, statusLine, type ResState } from '../respond.js'
import { Reply, resumeStream } from '../mcp-reply.js'
import { accepts, openSse } from '../sse.js'
import type { SessionRegistry } from '../../mcp/sessions.js'
import type { Dispatcher } from '../../mcp/dispatcher.js'
import { sseEvent, type McpSession } from '../../mcp/session.js'
import { ProtocolFault } from '../../mcp/input.js'
import { encodeMessages, type Classified, type RpcRequest, type RpcResponse } from '../../mcp/protocol.js'
import { initializeOf, openSession, routeMessages, sessionNotFound, sessionOf, sessionRequired } from '../../mcp/era-2025/session-gate.js'

export interface SessionMcp {
  sessions: SessionRegistry
  dispatcher: Dispatcher
  /** reply to requests with SSE even when no notification comes first */
  preferSse: boolean
  log: { error(o: object, m: string): void }
}

const KEEPALIVE_MS = 25_000
/** batch requests started per turn of the event loop: a batch of synchronous tool calls never holds it long */
const BATCH_CHUNK = 10
const yieldLoop = (): Promise<void> => new Promise((r) => setImmediate(r))

/** a transport error as the era writes it: the registry's status, a JSON-RPC error with data.code */
export const sendFault = (res: HttpResponse, st: ResState, f: ProtocolFault, id: RpcRequest['id'] | null = null, headers?: Record<string, string>): void => sendJson(res, st, f.status, f.toRpc(id), headers)

/** one session-era POST whose body is already decoded into messages */
export async function answerSession(m: SessionMcp, r: RequestInfo, res: HttpResponse, st: ResState, isBatch: boolean, msgs: Classified[]): Promise<void> {
  const init = initializeOf(msgs)
  let session: McpSession
  try {
    if (init) {
      const opened = openSession(m.dispatcher, m.sessions, init, !isBatch && !r.headers['mcp-session-id'])
      const sid = { 'mcp-session-id': opened.session.id }
      if (accepts(r, 'application/json')) return sendJson(res, st, 200, opened.response, sid)
      const w = openSse(res, st, sid)
      w.write(sseEvent(opened.response))
      return w.close()
    }
    session = sessionOf(m.sessions, r.headers, isBatch)
  } catch (err) {
    if (!(err instanceof ProtocolFault)) throw err
    return sendFault(res, st, err, init?.id ?? null, err.code === 'MCP_TOO_MANY_SESSIONS' ? { 'retry-after': '1' } : undefined)
  }
  const requests = routeMessages(session, msgs)
  if (!requests.length) return void (st.aborted || res.cork(() => res.writeStatus('202 Accepted').end()))
  const reply = new Reply(res, st, session, accepts(r, 'text/event-stream'))
  if (reply.canSse && (m.preferSse || r.headers['x-mcp-reply'] === 'sse' || !accepts(r, 'application/json'))) reply.startStream()
  const run = (req: RpcRequest) =>
    m.dispatcher.handle(session, req, reply).catch((err: unknown) => {
      // logged here, with its cause, before anything generic goes back to the client
      m.log.error({ err, method: req.method }, 'mcp request failed')
      return new ProtocolFault('INTERNAL', 'Internal error').toRpc(req.id)
    })
  // one request is the usual case: no arrays, no Promise.all. A batch starts its calls a chunk per turn of
  // the event loop, so other requests (a /healthz, say) are served between chunks
  let results: Array<RpcResponse | undefined>
  if (requests.length === 1) results = [await run(requests[0]!)]
  else {
    const started: Array<Promise<RpcResponse | undefined>> = []
    for (let i = 0; i < requests.length; i += BATCH_CHUNK) {
      if (i) await yieldLoop()
      for (const req of requests.slice(i, i + BATCH_CHUNK)) started.push(run(req))
    }
    results = await Promise.all(started)
  }
  const responses = results.filter((x): x is RpcResponse => !!x)
  session.lastSeen = Date.now()
  // a streamed reply ends on its stream, or on the GET that resumed it; the log keeps it for a later resume
  if (reply.streaming) return reply.finish(responses)
  if (st.aborted) return
  if (!responses.length) return void res.cork(() => res.writeStatus('202 Accepted').end())
  const payload = encodeMessages(isBatch ? responses : responses[0]!)
  res.cork(() => {
    res.writeStatus(statusLine(200))
    res.writeHeader('content-type', 'application/json')
    res.end(wireBody(payload))
  })
}

/** DELETE: the session ends */
export function endSession(m: SessionMcp, r: RequestInfo, res: HttpResponse, st: ResState): void {
  const sid = r.headers['mcp-session-id']
  if (!sid) return sendFault(res, st, sessionRequired())
  if (!m.sessions.delete(sid)) return sendFault(res, st, sessionNotFound())
  sendJson(res, st, 200, {})
}

/** GET: resumes the request stream Last-Event-ID names, or opens the session's own stream */
export function openGetStream(m: SessionMcp, r: RequestInfo, res: HttpResponse, st: ResState): void {
  if (!accepts(r, 'text/event-stream')) return sendFault(res, st, new ProtocolFault('NOT_ACCEPTABLE', 'Not Acceptable: the GET stream needs Accept: text/event-stream'))
  const sid = r.headers['mcp-session-id']
  if (!sid) return sendFault(res, st, sessionRequired())
  const session = m.sessions.get(sid)
  if (!session) return sendFault(res, st, sessionNotFound())
  if (resumeStream(session, r.headers['last-event-id'], res, st)) return
  const w = openSse(res, st)
  session.streams.push(w)
  // results no stream took (their stream closed before they were ready, SEP-1699)
  for (const e of session.replay?.undelivered() ?? []) if (w.write(e.text)) e.delivered = e.elsewhere = true
  const keepalive = setInterval(() => {
    if (w.closed) return clearInterval(keepalive)
    w.write(': keepalive\n\n')
    session.lastSeen = Date.now()
  }, KEEPALIVE_MS)
  const prev = st.onAbort
  st.onAbort = () => {
    prev?.()
    clearInterval(keepalive)
    session.streams = session.streams.filter((x) => x !== w)
  }
}

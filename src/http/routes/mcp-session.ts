// /mcp for the session era (2025-11-25 and older): the uWS side of session-gate.ts. initialize opens a
// session; the other requests of a POST are answered as JSON or on a stream (mcp-reply.ts); GET opens the
// session's stream for notifications, or resumes a request stream that broke (Last-Event-ID).
import type { HttpResponse } from '../uws.js'
import type { RequestInfo } from '../router.js'
import { wireBody } from '../wire-buffer.js'
import { sendJson, wireStatus, CONTENT_TYPE, APPLICATION_JSON, type ResState } from '../respond.js'
import { Reply, resumeStream } from '../mcp-reply.js'
import { accepts, openSse } from '../sse.js'
import type { SessionRegistry } from '../../mcp/sessions.js'
import type { Dispatcher } from '../../mcp/dispatcher.js'
import { sseEvent, type McpSession } from '../../mcp/session.js'
import { ProtocolFault } from '../../mcp/input.js'
import { encodeMessages, type Classified, type RpcRequest, type RpcResponse } from '../../mcp/protocol.js'
import { initializeOf, openSession, routeMessages, sessionNotFound, sessionOf, sessionRequired } from '../../mcp/era-2025/session-gate.js'
import type { Principal } from '../../access/principal.js'

export interface SessionMcp {
  sessions: SessionRegistry
  dispatcher: Dispatcher
  /** reply to requests with SSE even when no notification comes first */
  preferSse: boolean
  log: { error(o: object, m: string): void }
  /** writes the 403 for a session used with another principal's token */
  refuseSession(res: HttpResponse, st: ResState): void
}

/** a session answers only to the principal that created it: another credential's token cannot ride on it */
const sameCaller = (s: McpSession, p: Principal): boolean => s.principal.id === p.id

const KEEPALIVE_MS = 25_000
/** batch requests started per turn of the event loop: a batch of synchronous tool calls never holds it long */
const BATCH_CHUNK = 10
const yieldLoop = (): Promise<void> => new Promise((r) => setImmediate(r))

/** a transport error as the era writes it: the registry's status, a JSON-RPC error with data.code */
export const sendFault = (res: HttpResponse, st: ResState, f: ProtocolFault, id: RpcRequest['id'] | null = null, headers?: Record<string, string>): void => sendJson(res, st, f.status, f.toRpc(id), headers)

/** one session-era POST whose body is already decoded into messages */
export function answerSession(m: SessionMcp, r: RequestInfo, res: HttpResponse, st: ResState, isBatch: boolean, msgs: Classified[], principal: Principal): void {
  const init = initializeOf(msgs)
  let session: McpSession
  try {
    if (init) {
      const opened = openSession(m.dispatcher, m.sessions, init, !isBatch && !r.headers['mcp-session-id'], principal)
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
  if (!sameCaller(session, principal)) return m.refuseSession(res, st)
  const requests = routeMessages(session, msgs)
  if (!requests.length) return void (st.aborted || res.cork(() => res.writeStatus('202 Accepted').end()))
  const reply = new Reply(res, st, session, accepts(r, 'text/event-stream'))
  if (reply.canSse && (m.preferSse || r.headers['x-mcp-reply'] === 'sse' || !accepts(r, 'application/json'))) reply.startStream()
  // One request is the usual case: not async, and one promise from the call to the bytes, so a call that
  // waits for minutes holds that promise and the reply, not a frame (nor the body, its parse, the headers).
  // It never rejects. A batch starts its calls a chunk per turn of the event loop, so other requests (a
  // /healthz, say) are served between chunks.
  if (requests.length > 1 || isBatch) return void answerBatch(m, reply, res, st, session, requests, isBatch).catch((err: unknown) => m.log.error({ err }, 'mcp batch failed'))
  // the request itself is not kept: its id and method are all an error answer and its log line need
  settleOne(m, reply, m.dispatcher.handle(session, requests[0]!, reply), requests[0]!.id, requests[0]!.method)
}

/** apart from answerSession: the settle closures' scope holds the reply (which knows its response) and the id */
function settleOne(m: SessionMcp, reply: Reply, call: Promise<RpcResponse | undefined>, id: RpcRequest['id'], method: string): void {
  call.then(
    (x) => deliver(m, reply, reply.res, reply.st, reply.session, x ? [x] : [], false),
    (err: unknown) => deliver(m, reply, reply.res, reply.st, reply.session, [failedRequest(m, id, method, err)], false)
  )
}

/** a request that failed unexpectedly: logged here, with its cause, before anything generic goes back */
function failedRequest(m: SessionMcp, id: RpcRequest['id'], method: string, err: unknown): RpcResponse {
  m.log.error({ err, method }, 'mcp request failed')
  return new ProtocolFault('INTERNAL', 'Internal error').toRpc(id)
}

async function answerBatch(m: SessionMcp, reply: Reply, res: HttpResponse, st: ResState, session: McpSession, requests: RpcRequest[], isBatch: boolean): Promise<void> {
  const started: Array<Promise<RpcResponse | undefined>> = []
  for (let i = 0; i < requests.length; i += BATCH_CHUNK) {
    if (i) await yieldLoop()
    for (const req of requests.slice(i, i + BATCH_CHUNK)) started.push(m.dispatcher.handle(session, req, reply).catch((err: unknown) => failedRequest(m, req.id, req.method, err)))
  }
  const results = await Promise.all(started)
  deliver(m, reply, res, st, session, results.filter((x): x is RpcResponse => !!x), isBatch)
}

function deliver(m: SessionMcp, reply: Reply, res: HttpResponse, st: ResState, session: McpSession, responses: RpcResponse[], isBatch: boolean): void {
  try {
    session.lastSeen = Date.now()
    // a streamed reply ends on its stream, or on the GET that resumed it; the log keeps it for a later resume
    if (reply.streaming) return reply.finish(responses)
    if (st.aborted) return
    if (!responses.length) return void res.cork(() => res.writeStatus('202 Accepted').end())
    const payload = encodeMessages(isBatch ? responses : responses[0]!)
    res.cork(() => {
      res.writeStatus(wireStatus(200))
      res.writeHeader(CONTENT_TYPE, APPLICATION_JSON)
      res.end(wireBody(payload))
    })
  } catch (err) {
    m.log.error({ err }, 'an mcp response could not be written')
  }
}

/** DELETE: the session ends */
export function endSession(m: SessionMcp, r: RequestInfo, res: HttpResponse, st: ResState, principal: Principal): void {
  const sid = r.headers['mcp-session-id']
  if (!sid) return sendFault(res, st, sessionRequired())
  const own = m.sessions.get(sid)
  if (own && !sameCaller(own, principal)) return m.refuseSession(res, st)
  if (!m.sessions.delete(sid)) return sendFault(res, st, sessionNotFound())
  sendJson(res, st, 200, {})
}

/** GET: resumes the request stream Last-Event-ID names, or opens the session's own stream */
export function openGetStream(m: SessionMcp, r: RequestInfo, res: HttpResponse, st: ResState, principal: Principal): void {
  if (!accepts(r, 'text/event-stream')) return sendFault(res, st, new ProtocolFault('NOT_ACCEPTABLE', 'Not Acceptable: the GET stream needs Accept: text/event-stream'))
  const sid = r.headers['mcp-session-id']
  if (!sid) return sendFault(res, st, sessionRequired())
  const session = m.sessions.get(sid)
  if (!session) return sendFault(res, st, sessionNotFound())
  if (!sameCaller(session, principal)) return m.refuseSession(res, st)
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

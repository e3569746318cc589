// POST/GET/DELETE /mcp: the Streamable HTTP transport on uWS. Replies are JSON unless the client asked for
// a stream, or a call sends notifications or requests before its result: then the reply turns into SSE.
import type { HttpResponse } from '../uws.js'
import type { Handler, RequestInfo } from '../router.js'
import { readBody, declaredLength } from '../read-body.js'
import { wireBody } from '../wire-buffer.js'
import { sendJson, statusLine, type ResState } from '../respond.js'
import type { TokenGuard } from '../auth.js'
import type { SessionRegistry } from '../../mcp/sessions.js'
import type { Dispatcher } from '../../mcp/dispatcher.js'
import { sseEvent, type McpSession } from '../../mcp/session.js'
import { AppError } from '../../errors/app-error.js'
import { Reply, resumeStream } from '../mcp-reply.js'
import { accepts, openSse } from '../sse.js'
import { answerStateless, type StatelessMcp } from './mcp-stateless.js'
import { isStatelessRequest } from '../../mcp/era-2026/request-meta.js'
import { BATCH_MAX, checkClientData, type LimitExceeded } from '../../mcp/client-limits.js'
import { jsonBudgetExceeded } from '../../mcp/json-budget.js'
import { BATCH_VERSIONS, RPC, SUPPORTED_PROTOCOL_VERSIONS, classify, rpcError, encodeMessages, type RpcRequest, type RpcResponse } from '../../mcp/protocol.js'

export interface McpRouteOptions {
  guard: TokenGuard
  sessions: SessionRegistry
  dispatcher: Dispatcher
  maxBodyBytes: number
  /** reply to requests with SSE even when no notification comes first */
  preferSse: boolean
  log: { debug(o: object, m: string): void }
  /** the stateless revision (2026-07-28), told apart per request */
  stateless?: StatelessMcp
}

const KEEPALIVE_MS = 25_000
/** batch requests started per turn of the event loop: a batch of synchronous tool calls never holds it long */
const BATCH_CHUNK = 10
const yieldLoop = (): Promise<void> => new Promise((r) => setImmediate(r))
const tooLarge = (id: RpcRequest['id'] | null, e: LimitExceeded): RpcResponse => rpcError(id, RPC.INVALID_PARAMS, e.message, { code: e.code, field: e.field, limit: e.limit })

export function mcpRoute(o: McpRouteOptions): Handler {
  // Host and Origin are judged for every route before it runs (request-policy.ts)
  return (r, res, st) => {
    // the token is judged from the headers before any body byte is read: a refused body is never buffered
    if (!o.guard.allows(r.headers.authorization)) return sendJson(res, st, 401, rpcError(null, -32001, 'A valid bearer token is required.', { code: 'UNAUTHORIZED' }), { 'www-authenticate': 'Bearer realm="mcp"' })
    // start reading before anything async: uWS hands body chunks only to a callback attached now
    const body = r.method === 'POST' ? readBody(res, st, o.maxBodyBytes, declaredLength(r.headers['content-length'])) : undefined
    body?.catch(() => undefined)
    return (async () => {
      const sid = r.headers['mcp-session-id']
      if (r.method === 'GET') return openGetStream(r, res, st, sid)
      if (r.method === 'DELETE') {
        if (!sid) return sendJson(res, st, 400, rpcError(null, -32000, 'Bad Request: Mcp-Session-Id header is required'))
        if (!o.sessions.delete(sid)) return sendJson(res, st, 404, rpcError(null, -32001, 'Session not found'))
        return sendJson(res, st, 200, {})
      }
      let raw: Buffer
      try {
        raw = await body!
      } catch (err) {
        if (err instanceof AppError && err.code === 'PAYLOAD_TOO_LARGE') return sendJson(res, st, 413, rpcError(null, RPC.INVALID_REQUEST, err.message))
        return
      }
      if (!(r.headers['content-type'] ?? '').toLowerCase().includes('application/json')) return sendJson(res, st, 415, rpcError(null, -32000, 'Unsupported Media Type: Content-Type must be application/json'))
      if (!accepts(r, 'application/json') && !accepts(r, 'text/event-stream')) return sendJson(res, st, 406, rpcError(null, -32000, 'Not Acceptable: accept application/json and text/event-stream'))
      const over = jsonBudgetExceeded(raw, BATCH_MAX)
      if (over?.what === 'batch') return sendJson(res, st, 400, rpcError(null, RPC.INVALID_REQUEST, `Invalid Request: a batch of more than ${BATCH_MAX} messages; at most ${BATCH_MAX}`, { code: 'MCP_BATCH_TOO_LARGE', limit: BATCH_MAX }))
      if (over) return sendJson(res, st, 400, rpcError(null, RPC.INVALID_REQUEST, over.what === 'depth' ? `Invalid Request: the body nests deeper than ${over.limit} levels` : `Invalid Request: the body holds more than ${over.limit} JSON values`, { code: 'MCP_PARAMS_TOO_LARGE', limit: over.limit }))
      let parsed: unknown
      try {
        parsed = JSON.parse(raw.toString('utf8'))
      } catch {
        return sendJson(res, st, 400, rpcError(null, RPC.PARSE_ERROR, 'Parse error: the body is not valid JSON'))
      }
      if (o.stateless && isStatelessRequest(r.headers, parsed)) return answerStateless(o.stateless, r, res, st, parsed)
      const isBatch = Array.isArray(parsed)
      // the scan counted commas; this counts what JSON.parse made of them
      if (isBatch && (parsed as unknown[]).length > BATCH_MAX) return sendJson(res, st, 400, rpcError(null, RPC.INVALID_REQUEST, `Invalid Request: a batch of ${(parsed as unknown[]).length} messages; at most ${BATCH_MAX}`, { code: 'MCP_BATCH_TOO_LARGE', limit: BATCH_MAX }))
      const items = isBatch ? (parsed as unknown[]) : [parsed]
      const classified = items.map(classify)
      if (!items.length || classified.some((c) => !c)) {
        // the id of a single malformed message, when it has a usable one (the body may be null or a number)
        const own = !isBatch && typeof parsed === 'object' && parsed !== null ? (parsed as { id?: unknown }).id : undefined
        const id = typeof own === 'string' || typeof own === 'number' ? own : null
        return sendJson(res, st, 400, rpcError(id, RPC.INVALID_REQUEST, 'Invalid Request: expected a JSON-RPC 2.0 message'))
      }
      const msgs = classified as NonNullable<(typeof classified)[number]>[]

      // initialize: the one request that creates a session
      const init = msgs.find((m) => m.kind === 'request' && m.msg.method === 'initialize')
      if (init) {
        if (isBatch || sid) return sendJson(res, st, 400, rpcError(null, RPC.INVALID_REQUEST, 'initialize must be sent alone, without a session'))
        const req = init.msg as RpcRequest
        const client = checkClientData(req.params)
        if ('code' in client) return sendJson(res, st, 400, tooLarge(req.id, client))
        const { version, result } = o.dispatcher.initializeResult(req.params)
        let s: McpSession
        try {
          s = o.sessions.create(version, client.clientInfo, client.capabilities, client.bytes)
        } catch (err) {
          if (!(err instanceof AppError)) throw err
          return sendJson(res, st, err.status, rpcError(req.id, -32000, err.message, { code: err.code }), { 'retry-after': '1' })
        }
        const response = { jsonrpc: '2.0', id: req.id, result }
        if (!accepts(r, 'application/json')) {
          const w = openSse(res, st, { 'mcp-session-id': s.id })
          w.write(sseEvent(response))
          return w.close()
        }
        return sendJson(res, st, 200, response, { 'mcp-session-id': s.id })
      }
      if (!sid) return sendJson(res, st, 400, rpcError(null, -32000, 'Bad Request: Mcp-Session-Id header is required'))
      const session = o.sessions.get(sid)
      if (!session) return sendJson(res, st, 404, rpcError(null, -32001, 'Session not found'))
      const pv = r.headers['mcp-protocol-version']
      if (pv && !(SUPPORTED_PROTOCOL_VERSIONS as readonly string[]).includes(pv)) return sendJson(res, st, 400, rpcError(null, -32000, `Bad Request: unsupported MCP-Protocol-Version ${pv}`))
      if (isBatch && !BATCH_VERSIONS.has(session.protocolVersion)) return sendJson(res, st, 400, rpcError(null, RPC.INVALID_REQUEST, `Invalid Request: batches are not supported in protocol ${session.protocolVersion}`))

      const requests: RpcRequest[] = []
      for (const m of msgs) {
        if (m.kind === 'response') {
          const pending = m.msg.id !== null ? session.pending.get(String(m.msg.id)) : undefined
          if (pending) {
            session.pending.delete(String(m.msg.id))
            pending(m.msg)
          }
        } else if (m.kind === 'notification') {
          if (m.msg.method === 'notifications/initialized') session.initialized = true
          else if (m.msg.method === 'notifications/cancelled') session.inflight.get((m.msg.params?.requestId ?? '') as string)?.abort()
        } else requests.push(m.msg)
      }
      if (!requests.length) {
        if (!st.aborted) res.cork(() => res.writeStatus('202 Accepted').end())
        return
      }
      await answer(r, res, st, session, requests, isBatch)
    })()
  }

  async function answer(r: RequestInfo, res: HttpResponse, st: ResState, session: McpSession, requests: RpcRequest[], isBatch: boolean): Promise<void> {
    const reply = new Reply(res, st, session, accepts(r, 'text/event-stream'))
    if (reply.canSse && (o.preferSse || r.headers['x-mcp-reply'] === 'sse' || !accepts(r, 'application/json'))) reply.startStream()
    const run = (req: RpcRequest) =>
      o.dispatcher.handle(session, req, reply).catch((err: unknown) => {
        o.log.debug({ err }, 'mcp request failed')
        return rpcError(req.id, RPC.INTERNAL_ERROR, 'Internal error')
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

  function openGetStream(r: RequestInfo, res: HttpResponse, st: ResState, sid: string | undefined): void {
    if (!accepts(r, 'text/event-stream')) return sendJson(res, st, 406, rpcError(null, -32000, 'Not Acceptable: the GET stream needs Accept: text/event-stream'))
    if (!sid) return sendJson(res, st, 400, rpcError(null, -32000, 'Bad Request: Mcp-Session-Id header is required'))
    const session = o.sessions.get(sid)
    if (!session) return sendJson(res, st, 404, rpcError(null, -32001, 'Session not found'))
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
}

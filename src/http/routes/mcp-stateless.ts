// POST /mcp for the stateless revision (2026-07-28): the uWS side of the stateless router. A reply is JSON
// unless the call says something before its result (progress) and the client accepts a stream; a
// subscriptions/listen request holds its stream open for the server's announcements. Nothing here
// outlives the request, so any replica can answer any request.
import type { HttpResponse } from '../uws.js'
import type { RequestInfo } from '../router.js'
import { sendJson, statusLine, type ResState } from '../respond.js'
import { wireBody } from '../wire-buffer.js'
import { accepts, openSse } from '../sse.js'
import { sseEvent, type McpSession, type SseWriter } from '../../mcp/session.js'
import { classify, encodeMessage } from '../../mcp/protocol.js'
import { ProtocolFault } from '../../mcp/input.js'
import type { StatelessRouter } from '../../mcp/era-2026/stateless-router.js'
import { META } from '../../mcp/era-2026/request-meta.js'
import type { ServerEvent, ServerEvents } from '../../mcp/server-events.js'
import type { Principal } from '../../access/principal.js'

const KEEPALIVE_MS = 25_000

export interface StatelessMcp {
  router: StatelessRouter
  events: ServerEvents
  log: { error(o: object, m: string): void }
  /** whether a principal may hear of a resource change (of a chat outside its scope it hears nothing) */
  sees?(p: Principal, e: Extract<ServerEvent, { kind: 'resourceUpdated' }>): boolean
}

/** what a listen filter lets through */
function wanted(filter: Record<string, unknown>, e: ServerEvent, principal: Principal): boolean {
  if (e.kind === 'resourceUpdated') return Array.isArray(filter.resourceSubscriptions) && filter.resourceSubscriptions.includes(e.uri)
  if (e.kind === 'taskStatus') return e.owner === principal.id && Array.isArray(filter.taskIds) && filter.taskIds.includes(e.taskId)
  return filter[`${e.list}ListChanged`] === true
}

function notificationOf(e: ServerEvent): { method: string; params: Record<string, unknown> } {
  if (e.kind === 'resourceUpdated') return { method: 'notifications/resources/updated', params: { uri: e.uri } }
  if (e.kind === 'taskStatus') return { method: 'notifications/tasks', params: e.detail }
  return { method: `notifications/${e.list}/list_changed`, params: {} }
}

/** answers one stateless POST whose body is already parsed */
export async function answerStateless(m: StatelessMcp, r: RequestInfo, res: HttpResponse, st: ResState, parsed: unknown, principal: Principal): Promise<void> {
  const c = Array.isArray(parsed) ? undefined : classify(parsed)
  if (!c) return sendJson(res, st, 400, new ProtocolFault('MCP_INVALID_REQUEST', 'Invalid Request: a stateless request is one JSON-RPC message (no batches)').toRpc(null))
  // a notification or a response needs nothing back: there is no session to deliver it to
  if (c.kind !== 'request') return void (st.aborted || res.cork(() => res.writeStatus('202 Accepted').end()))
  let stream: SseWriter | undefined
  let session: McpSession | undefined
  const prev = st.onAbort
  // the client closing the connection is how a stateless call is cancelled
  st.onAbort = () => {
    prev?.()
    for (const a of session?.inflight.values() ?? []) a.abort()
  }
  const hooks = {
    // asked only when a call has something to say before its result: most never do
    notify(method: string, params: Record<string, unknown>) {
      if (!stream && !accepts(r, 'text/event-stream')) return
      stream ??= openSse(res, st)
      stream.write(sseEvent({ jsonrpc: '2.0', method, params }))
    }
  }
  let outcome
  try {
    outcome = await m.router.route(r.headers, c.msg, hooks, (s) => (session = s), principal)
  } catch (err) {
    // logged here, with its cause, before anything generic goes back to the client
    m.log.error({ err, method: c.msg.method }, 'stateless mcp request failed')
    outcome = { kind: 'answer' as const, status: 500, response: new ProtocolFault('INTERNAL', 'Internal error').toRpc(c.msg.id) }
  }
  if (outcome.kind === 'listen') return listen(m, res, st, outcome.request.id, outcome.filter, principal)
  if (stream) {
    stream.write(sseEvent(outcome.response))
    return stream.close()
  }
  if (st.aborted) return
  const payload = encodeMessage(outcome.response)
  res.cork(() => {
    res.writeStatus(statusLine(outcome.status))
    res.writeHeader('content-type', 'application/json')
    res.end(wireBody(payload))
  })
}

/** a subscriptions/listen stream: the acknowledgement first, then every wanted event, tagged with the subscription */
function listen(m: StatelessMcp, res: HttpResponse, st: ResState, id: string | number, filter: Record<string, unknown>, principal: Principal): void {
  const tag = { [META.subscriptionId]: id }
  const w = openSse(res, st)
  const accepted: Record<string, unknown> = {}
  for (const k of ['toolsListChanged', 'promptsListChanged', 'resourcesListChanged']) if (filter[k] === true) accepted[k] = true
  if (Array.isArray(filter.resourceSubscriptions)) accepted.resourceSubscriptions = filter.resourceSubscriptions.filter((u) => typeof u === 'string').slice(0, 1000)
  // the router kept only the caller's own live tasks
  if (Array.isArray(filter.taskIds)) accepted.taskIds = filter.taskIds
  w.write(sseEvent({ jsonrpc: '2.0', method: 'notifications/subscriptions/acknowledged', params: { notifications: accepted, _meta: tag } }))
  const stop = m.events.listen((e) => {
    if (!wanted(accepted, e, principal)) return
    if (e.kind === 'resourceUpdated' && m.sees && !m.sees(principal, e)) return
    const n = notificationOf(e)
    w.write(sseEvent({ jsonrpc: '2.0', method: n.method, params: { ...n.params, _meta: tag } }))
  })
  const keepalive = setInterval(() => w.write(': keepalive\n\n'), KEEPALIVE_MS)
  const prev = st.onAbort
  st.onAbort = () => {
    prev?.()
    stop()
    clearInterval(keepalive)
  }
}

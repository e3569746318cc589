// POST /mcp for the stateless revision (2026-07-28): the uWS side of the stateless router. A reply is JSON
// unless the call says something before its result (progress) and the client accepts a stream; a
// subscriptions/listen request holds its stream open for the server's announcements. Nothing here
// outlives the request, so any replica can answer any request.
import type { HttpResponse } from '../uws.js'
import type { RequestInfo } from '../router.js'
import { sendJson, wireStatus, CONTENT_TYPE, APPLICATION_JSON, type ResState } from '../respond.js'
import { wireBody } from '../wire-buffer.js'
import { accepts, openSse } from '../sse.js'
import { sseEvent, type McpSession, type SseWriter } from '../../mcp/session.js'
import { classify, encodeMessage, type RpcRequest } from '../../mcp/protocol.js'
import { ProtocolFault } from '../../mcp/input.js'
import type { StatelessOutcome, StatelessRouter } from '../../mcp/era-2026/stateless-router.js'
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

/**
 * Answers one stateless POST whose body is already parsed. Not async: a call is one promise from the
 * router to the bytes, and what the answer needs (the response, its stream, the call's session) is held by
 * the reply, not by a suspended frame.
 */
export function answerStateless(m: StatelessMcp, r: RequestInfo, res: HttpResponse, st: ResState, parsed: unknown, principal: Principal): void {
  const c = Array.isArray(parsed) ? undefined : classify(parsed)
  if (!c) return sendJson(res, st, 400, new ProtocolFault('MCP_INVALID_REQUEST', 'Invalid Request: a stateless request is one JSON-RPC message (no batches)').toRpc(null))
  // a notification or a response needs nothing back: there is no session to deliver it to
  if (c.kind !== 'request') return void (st.aborted || res.cork(() => res.writeStatus('202 Accepted').end()))
  const reply = new StatelessReply(m, r, res, st, principal, c.msg)
  let outcome: StatelessOutcome | Promise<StatelessOutcome>
  try {
    outcome = m.router.route(r.headers, c.msg, reply, (s) => (reply.session = s), principal)
  } catch (err) {
    return reply.answer(reply.failed(err))
  }
  if (outcome instanceof Promise) outcome.then((o) => reply.answer(o), (err: unknown) => reply.answer(reply.failed(err)))
  else reply.answer(outcome)
}

/** one stateless request's way back: the stream a call opened by saying something first, or a JSON answer */
class StatelessReply {
  /** the call's stream, opened by its first notification when the client takes one */
  private stream: SseWriter | undefined
  /** the session the router made for the call: closing the connection aborts what runs in it */
  session: McpSession | undefined

  constructor(
    private readonly m: StatelessMcp,
    private readonly r: RequestInfo,
    private readonly res: HttpResponse,
    private readonly st: ResState,
    private readonly principal: Principal,
    private readonly msg: RpcRequest
  ) {
    const prev = st.onAbort
    // the client closing the connection is how a stateless call is cancelled
    st.onAbort = () => {
      prev?.()
      for (const a of this.session?.inflight.values() ?? []) a.abort()
    }
  }

  // asked only when a call has something to say before its result: most never do
  notify(method: string, params: Record<string, unknown>): void {
    if (!this.stream && !accepts(this.r, 'text/event-stream')) return
    this.stream ??= openSse(this.res, this.st)
    this.stream.write(sseEvent({ jsonrpc: '2.0', method, params }))
  }

  /** an error the router did not expect: logged here, with its cause, before anything generic goes back to the client */
  failed(err: unknown): StatelessOutcome {
    this.m.log.error({ err, method: this.msg.method }, 'stateless mcp request failed')
    return { kind: 'answer', status: 500, response: new ProtocolFault('INTERNAL', 'Internal error').toRpc(this.msg.id) }
  }

  answer(outcome: StatelessOutcome): void {
    const { res, st } = this
    try {
      if (outcome.kind === 'listen') return listen(this.m, res, st, outcome.request.id, outcome.filter, this.principal)
      if (this.stream) {
        this.stream.write(sseEvent(outcome.response))
        return this.stream.close()
      }
      if (st.aborted) return
      const payload = encodeMessage(outcome.response)
      res.cork(() => {
        res.writeStatus(wireStatus(outcome.status))
        res.writeHeader(CONTENT_TYPE, APPLICATION_JSON)
        res.end(wireBody(payload))
      })
    } catch (err) {
      this.m.log.error({ err, method: this.msg.method }, 'a stateless mcp answer could not be written')
    }
  }
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

// POST/GET/DELETE /mcp, the Streamable HTTP transport on uWS: the shell both protocol eras share. It judges
// the token, reads and decodes the body (rpc-envelope.ts), and hands the request to its era: the stateless
// revision (mcp-stateless.ts) or the session era (mcp-session.ts). Every refusal is a registry code.
import type { HttpResponse } from '../uws.js'
import type { Handler, RequestInfo } from '../router.js'
import { withBody, declaredLength } from '../read-body.js'
import type { ResState } from '../respond.js'
import type { Authenticator, AuthRefusal } from '../../access/authenticate.js'
import type { Principal } from '../../access/principal.js'
import type { SessionRegistry } from '../../mcp/sessions.js'
import type { Dispatcher } from '../../mcp/dispatcher.js'
import { accepts } from '../sse.js'
import { namesToken } from '../header-values.js'
import { answerStateless, type StatelessMcp } from './mcp-stateless.js'
import { answerSession, endSession, openGetStream, sendFault, type SessionMcp } from './mcp-session.js'
import { isStatelessRequest } from '../../mcp/era-2026/request-meta.js'
import { ProtocolFault } from '../../mcp/input.js'
import { messagesOf, parseBody } from '../../mcp/rpc-envelope.js'

export interface McpRouteOptions {
  /** the bearer-token chain: static token, credentials, OAuth */
  auth: Authenticator
  sessions: SessionRegistry
  dispatcher: Dispatcher
  maxBodyBytes: number
  /** reply to requests with SSE even when no notification comes first */
  preferSse: boolean
  log: { debug(o: object, m: string): void; error(o: object, m: string): void }
  /** the stateless revision (2026-07-28), told apart per request */
  stateless?: StatelessMcp
}

/** 401 or 403 as a JSON-RPC error with the registry's code and the RFC 6750 challenge */
export const refuse = (res: HttpResponse, st: ResState, r: AuthRefusal): void => sendFault(res, st, new ProtocolFault(r.code, r.message, {}, -32001), null, { 'www-authenticate': r.challenge })

/**
 * The bearer token, judged from the headers before any body byte is read (a refused body is never
 * buffered): the principal it names, or undefined once the refusal is written.
 */
function authenticate(o: McpRouteOptions, r: RequestInfo, res: HttpResponse, st: ResState): Principal | undefined {
  const who = o.auth.authenticate(r.headers.authorization)
  if ('refused' in who) return void refuse(res, st, who.refused)
  return who.principal
}

export function mcpRoute(o: McpRouteOptions): Handler {
  const era: SessionMcp = { sessions: o.sessions, dispatcher: o.dispatcher, preferSse: o.preferSse, log: o.log, refuseSession: (res, st) => refuse(res, st, o.auth.sessionRefusal()) }
  // Host and Origin are judged for every route before it runs (request-policy.ts)
  return (r, res, st) => {
    const principal = authenticate(o, r, res, st)
    if (!principal) return
    if (r.method === 'GET') return openGetStream(era, r, res, st, principal)
    if (r.method === 'DELETE') return endSession(era, r, res, st, principal)
    // the body is parsed while uWS lends its bytes (no copy of a small one), in the callback attached now,
    // before anything async: uWS hands body chunks only to a callback attached during the handler. No
    // promise for the router: every answer is written from the callback, a throw included.
    withBody(
      res,
      st,
      o.maxBodyBytes,
      declaredLength(r.headers['content-length']),
      (raw) => {
        try {
          answer(o, era, r, res, st, raw, principal)
        } catch (err) {
          failed(o, res, st, err)
        }
      },
      // a client that left before its whole body came is owed nothing
      (err) => void (err.code === 'PAYLOAD_TOO_LARGE' && sendFault(res, st, new ProtocolFault('PAYLOAD_TOO_LARGE', err.message)))
    )
  }
}

/** what an answer threw, which nothing expected: logged where it happened, with its cause, and answered as a JSON-RPC internal error */
function failed(o: McpRouteOptions, res: HttpResponse, st: ResState, err: unknown): void {
  o.log.error({ err }, 'mcp request failed')
  try {
    sendFault(res, st, new ProtocolFault('INTERNAL', 'Internal error'))
  } catch (writeErr) {
    // the answer had begun (a stream opened) before the throw: there is nothing left to write it on
    o.log.error({ err: writeErr }, 'the error answer to an mcp request could not be written')
  }
}

/** one POST whose body has come: checked, parsed and handed to its era (`raw` is valid only during the call) */
function answer(o: McpRouteOptions, era: SessionMcp, r: RequestInfo, res: HttpResponse, st: ResState, raw: Buffer, principal: Principal): void {
  if (!namesToken(r.headers['content-type'], 'application/json')) return sendFault(res, st, new ProtocolFault('UNSUPPORTED_MEDIA_TYPE', 'Unsupported Media Type: Content-Type must be application/json'))
  if (!accepts(r, 'application/json') && !accepts(r, 'text/event-stream')) return sendFault(res, st, new ProtocolFault('NOT_ACCEPTABLE', 'Not Acceptable: accept application/json and text/event-stream'))
  let parsed: unknown
  try {
    parsed = parseBody(raw)
  } catch (err) {
    if (err instanceof ProtocolFault) return sendFault(res, st, err)
    throw err
  }
  if (o.stateless && isStatelessRequest(r.headers, parsed)) return answerStateless(o.stateless, r, res, st, parsed, principal)
  const decoded = messagesOf(parsed)
  if ('fault' in decoded) return sendFault(res, st, decoded.fault, decoded.id)
  return answerSession(era, r, res, st, decoded.isBatch, decoded.msgs, principal)
}

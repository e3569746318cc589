// The 2025 era's handshake and sessions on the wire: initialize opens a session; every other POST names it
// in Mcp-Session-Id with a version the server speaks; what a POST carries besides requests (answers to the
// server's own requests, notifications) is routed to its session. No I/O: headers and decoded messages in,
// a session and the requests to answer (or a ProtocolFault, always a registry code) out.
import { AppError } from '../../errors/app-error.js'
import { ProtocolFault } from '../input.js'
import { BATCH_VERSIONS, SUPPORTED_PROTOCOL_VERSIONS, type Classified, type RpcRequest, type RpcResponse } from '../protocol.js'
import { checkClientData } from '../client-limits.js'
import type { Dispatcher } from '../dispatcher.js'
import type { SessionRegistry } from '../sessions.js'
import type { McpSession } from '../session.js'
import type { Principal } from '../../access/principal.js'
import type { RequestHeaders as Headers } from '../../http/request-headers.js'

const SESSION_VERSIONS = new Set<string>(SUPPORTED_PROTOCOL_VERSIONS)

/** the fault for a request that needs a session and names none */
export const sessionRequired = (): ProtocolFault => new ProtocolFault('MCP_SESSION_REQUIRED', 'Bad Request: Mcp-Session-Id header is required')

/** the fault for a session id this process does not know (never issued, expired, evicted or deleted) */
export const sessionNotFound = (): ProtocolFault => new ProtocolFault('MCP_SESSION_NOT_FOUND', 'Session not found: initialize a new session.')

/** the initialize request among `msgs`, if there is one */
export const initializeOf = (msgs: readonly Classified[]): RpcRequest | undefined => msgs.find((m) => m.kind === 'request' && m.msg.method === 'initialize')?.msg as RpcRequest | undefined

/**
 * initialize: checks the client's data, negotiates the version and opens a session for `principal`. Throws ProtocolFault
 * (MCP_INVALID_REQUEST, MCP_PARAMS_TOO_LARGE, MCP_TOO_MANY_SESSIONS).
 */
export function openSession(dispatcher: Dispatcher, sessions: SessionRegistry, req: RpcRequest, alone: boolean, principal: Principal): { session: McpSession; response: RpcResponse } {
  if (!alone) throw new ProtocolFault('MCP_INVALID_REQUEST', 'initialize must be sent alone, without a session')
  const client = checkClientData(req.params)
  if ('code' in client) throw new ProtocolFault('MCP_PARAMS_TOO_LARGE', client.message, { field: client.field, limit: client.limit }, -32602)
  const { version, result } = dispatcher.initializeResult(req.params)
  try {
    const session = sessions.create(version, client.clientInfo, client.capabilities, client.bytes, principal)
    return { session, response: { jsonrpc: '2.0', id: req.id, result } }
  } catch (err) {
    if (err instanceof AppError && err.code === 'MCP_TOO_MANY_SESSIONS') throw new ProtocolFault(err.code, err.message)
    throw err
  }
}

/**
 * The session a POST names, after the checks the era requires: a session id this process knows, a
 * MCP-Protocol-Version it speaks, a batch only where the session's version has them.
 */
export function sessionOf(sessions: SessionRegistry, headers: Headers, isBatch: boolean): McpSession {
  const sid = headers['mcp-session-id']
  if (!sid) throw sessionRequired()
  const session = sessions.get(sid)
  if (!session) throw sessionNotFound()
  const pv = headers['mcp-protocol-version']
  if (pv && !SESSION_VERSIONS.has(pv)) throw new ProtocolFault('MCP_PROTOCOL_VERSION_UNSUPPORTED', `Bad Request: unsupported MCP-Protocol-Version ${pv}; a session speaks ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')}`, { supported: [...SUPPORTED_PROTOCOL_VERSIONS], requested: pv }, -32000)
  if (isBatch && !BATCH_VERSIONS.has(session.protocolVersion)) throw new ProtocolFault('MCP_INVALID_REQUEST', `Invalid Request: batches are not supported in protocol ${session.protocolVersion}`)
  return session
}

/**
 * Hands the answers and notifications of a POST to its session (a pending server request resolves, a
 * cancellation aborts its call) and returns the requests left to answer.
 */
export function routeMessages(session: McpSession, msgs: readonly Classified[]): RpcRequest[] {
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
  return requests
}

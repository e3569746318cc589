// What a call may need from the client while it runs (a confirmation, a choice, a sampled answer), said once
// for both protocol eras. A tool asks through ToolContext.input(); 2025-11-25 sends each request to the
// client (elicitation/create on the call's stream), 2026-07-28 answers the call with resultType
// "input_required" and runs it again when the client re-sends it with the answers. Pure.
import { ERROR_CODES, type ErrorCode } from '../errors/codes.js'
import type { Id, RpcResponse } from './protocol.js'

/** the client-side methods a call may ask for, each gated by the client capability of the same role */
export const INPUT_CAPABILITY = {
  'elicitation/create': 'elicitation',
  'sampling/createMessage': 'sampling',
  'roots/list': 'roots'
} as const

export type InputMethod = keyof typeof INPUT_CAPABILITY

export interface InputRequest {
  method: InputMethod
  params: Record<string, unknown>
}

/** requests keyed by a name the tool chooses; the answers come back under the same keys */
export type InputRequests = Record<string, InputRequest>
export type InputResponses = Record<string, Record<string, unknown>>

export const isInputMethod = (m: string): m is InputMethod => Object.hasOwn(INPUT_CAPABILITY, m)

/**
 * Thrown by a 2026 call that needs answers the client has not sent yet: the call stops here and the
 * transport answers with these requests. Not an error: the dispatcher lets it through untouched.
 */
export class CallSuspended extends Error {
  override readonly name = 'CallSuspended'
  constructor(readonly requests: InputRequests) {
    super('the call needs input from the client')
  }
}

/** JSON-RPC codes of the registry codes that are protocol faults rather than tool errors */
const RPC_CODE: Partial<Record<ErrorCode, number>> = {
  INVALID_INPUT: -32602,
  MCP_META_INVALID: -32602,
  MCP_STATE_INVALID: -32602,
  MCP_STATE_EXPIRED: -32602,
  MCP_HEADER_MISMATCH: -32020,
  MCP_CLIENT_CAPABILITY_MISSING: -32021,
  MCP_PROTOCOL_VERSION_UNSUPPORTED: -32022,
  MCP_METHOD_NOT_FOUND: -32601,
  PAYLOAD_TOO_LARGE: -32600,
  INTERNAL: -32603,
  MCP_PARSE_ERROR: -32700,
  MCP_INVALID_REQUEST: -32600,
  MCP_BATCH_TOO_LARGE: -32600,
  MCP_PARAMS_TOO_LARGE: -32600,
  // the 2025 era's transport errors, numbered as its SDKs number them
  MCP_SESSION_REQUIRED: -32000,
  MCP_SESSION_NOT_FOUND: -32001,
  MCP_TOO_MANY_SESSIONS: -32000,
  UNAUTHORIZED: -32001,
  UNSUPPORTED_MEDIA_TYPE: -32000,
  NOT_ACCEPTABLE: -32000,
  METHOD_NOT_ALLOWED: -32000
}

/**
 * A fault of the protocol, not of the tool: it becomes a JSON-RPC error whose code the spec fixes (-32021
 * for a missing client capability, say), with the registry code, message and retryable flag in `data`.
 * The HTTP status of the answer is the registry's.
 */
export class ProtocolFault extends Error {
  override readonly name = 'ProtocolFault'
  /** `rpc` overrides the JSON-RPC code where one registry code has two (-32602 and -32600 for MCP_PARAMS_TOO_LARGE) */
  constructor(readonly code: ErrorCode, message: string, readonly data: Record<string, unknown> = {}, private readonly rpc?: number) {
    super(message)
  }

  get status(): number {
    return ERROR_CODES[this.code].status
  }

  get rpcCode(): number {
    return this.rpc ?? RPC_CODE[this.code] ?? -32603
  }

  toRpc(id: Id | null): RpcResponse {
    return { jsonrpc: '2.0', id, error: { code: this.rpcCode, message: this.message, data: { ...this.data, code: this.code, retryable: ERROR_CODES[this.code].retryable } } }
  }
}

/** the fault for an input request the client cannot answer: `requiredCapabilities` is a ClientCapabilities object */
export function missingCapability(method: InputMethod): ProtocolFault {
  const cap = INPUT_CAPABILITY[method]
  return new ProtocolFault('MCP_CLIENT_CAPABILITY_MISSING', `The client did not declare the ${cap} capability, which ${method} needs; declare it or answer without this tool.`, { requiredCapabilities: { [cap]: {} } })
}

/** true when the client declared the capability an input method needs */
export const clientCan = (caps: Record<string, unknown>, method: InputMethod): boolean => {
  const c = caps[INPUT_CAPABILITY[method]]
  return typeof c === 'object' && c !== null
}

// MCP protocol constants and JSON-RPC shapes. Pure.
export const LATEST_PROTOCOL_VERSION = '2025-11-25'
export const SUPPORTED_PROTOCOL_VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'] as const
/** versions that still allow JSON-RPC batch arrays */
export const BATCH_VERSIONS = new Set(['2025-03-26', '2024-11-05'])

export const RPC = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  REQUEST_CANCELLED: -32800
} as const

export type Id = string | number

export interface RpcRequest {
  jsonrpc: '2.0'
  id: Id
  method: string
  params?: Record<string, unknown>
}

export interface RpcNotification {
  jsonrpc: '2.0'
  method: string
  params?: Record<string, unknown>
}

export interface RpcResponse {
  jsonrpc: '2.0'
  id: Id | null
  result?: unknown
  error?: { code: number; message: string; data?: unknown }
}

export type RpcMessage = RpcRequest | RpcNotification | RpcResponse

export const rpcError = (id: Id | null, code: number, message: string, data?: unknown): RpcResponse => ({ jsonrpc: '2.0', id, error: { code, message, ...(data !== undefined ? { data } : {}) } })
export const rpcResult = (id: Id, result: unknown): RpcResponse => ({ jsonrpc: '2.0', id, result })

export function negotiateVersion(requested: unknown): string {
  return typeof requested === 'string' && (SUPPORTED_PROTOCOL_VERSIONS as readonly string[]).includes(requested) ? requested : LATEST_PROTOCOL_VERSION
}

/** classifies one decoded JSON value; undefined when it is not a JSON-RPC 2.0 message */
export function classify(v: unknown): { kind: 'request'; msg: RpcRequest } | { kind: 'notification'; msg: RpcNotification } | { kind: 'response'; msg: RpcResponse } | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined
  const m = v as Record<string, unknown>
  if (m.jsonrpc !== '2.0') return undefined
  if (m.params !== undefined && (typeof m.params !== 'object' || m.params === null)) return undefined
  const hasId = typeof m.id === 'string' || (typeof m.id === 'number' && Number.isFinite(m.id))
  if (typeof m.method === 'string') {
    if (hasId) return { kind: 'request', msg: m as unknown as RpcRequest }
    if (m.id === undefined) return { kind: 'notification', msg: m as unknown as RpcNotification }
    return undefined
  }
  if ((hasId || m.id === null) && ('result' in m || 'error' in m)) return { kind: 'response', msg: m as unknown as RpcResponse }
  return undefined
}

/** one classified message */
export type Classified = NonNullable<ReturnType<typeof classify>>

/**
 * A result already encoded as JSON text (a tool result, say, or the answer cache's UTF-8 bytes of one): the
 * envelope is written around it instead of serializing the result again.
 */
export const RESULT_BYTES = Symbol('resultBytes')

const ANY_NON_ASCII = /[^\x00-\x7f]/
const NON_ASCII = /[^\x00-\x7f]/g

/**
 * JSON text with its non-ASCII characters written as \u escapes when they are few: a client decodes an
 * all-ASCII body on a fast path (a JavaScript load generator read 30 KiB replies with one accented letter at
 * half the rate of all-ASCII ones). Each escape grows a character from 2-3 bytes to 6, so text that is
 * mostly non-ASCII (Cyrillic, CJK, emoji) stays UTF-8. The parsed values are the same either way.
 */
export function asciiJson(json: string): string {
  // as many UTF-8 bytes as UTF-16 units only when every one is ASCII: a native count, several times
  // cheaper than a regular expression's scan of a reply that is all ASCII (most are)
  if (Buffer.byteLength(json, 'utf8') === json.length) return json
  const first = json.search(ANY_NON_ASCII)
  // counted without collecting the matches, and no further than the limit
  const limit = json.length / 64
  let count = 0
  for (let i = first; i < json.length; i++) if (json.charCodeAt(i) > 0x7f && ++count > limit) return json
  return json.replace(NON_ASCII, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/** the wire form of a message: its JSON text, or pieces of it laid end to end (see http/wire-buffer) */
export type Encoded = string | readonly [string, Uint8Array, string]

export function encodeMessage(msg: unknown): Encoded {
  const encoded = (msg as { result?: { [RESULT_BYTES]?: Buffer | string } }).result?.[RESULT_BYTES]
  if (encoded === undefined) return JSON.stringify(msg)
  const head = `{"jsonrpc":"2.0","id":${JSON.stringify((msg as RpcResponse).id)},"result":`
  // cached bytes are not copied into a new Buffer here: the socket write lays the pieces out once
  return typeof encoded === 'string' ? `${head}${encoded}}` : [head, encoded, '}']
}

/** an encoded message as one string (SSE events, batches) */
export const encodedText = (e: Encoded): string => (typeof e === 'string' ? e : `${e[0]}${Buffer.from(e[1].buffer, e[1].byteOffset, e[1].length).toString('utf8')}${e[2]}`)

/** one message, or a batch array of them */
export function encodeMessages(msgs: RpcResponse | RpcResponse[]): Encoded {
  if (!Array.isArray(msgs)) return encodeMessage(msgs)
  // batches belong to old protocol versions and are rare: text is simple enough
  return `[${msgs.map((m) => encodedText(encodeMessage(m))).join(',')}]`
}

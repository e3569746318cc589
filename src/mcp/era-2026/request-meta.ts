// The 2026-07-28 revision on the wire: how a request is told apart from a 2025 one, and the checks every
// stateless request passes before it is routed (per-request _meta, the MCP-Protocol-Version, Mcp-Method
// and Mcp-Name headers). Pure: headers and a decoded body in, a verdict out.
import { SUPPORTED_PROTOCOL_VERSIONS } from '../protocol.js'
import { ProtocolFault } from '../input.js'
import type { RequestHeaders as Headers } from '../../http/request-headers.js'

export const PROTOCOL_2026 = '2026-07-28'
/** the stateless revisions this server speaks, newest first */
export const STATELESS_VERSIONS = [PROTOCOL_2026] as const
/** every revision, for server/discover and UnsupportedProtocolVersionError */
export const ALL_VERSIONS: readonly string[] = [...STATELESS_VERSIONS, ...SUPPORTED_PROTOCOL_VERSIONS]

export const META = {
  protocolVersion: 'io.modelcontextprotocol/protocolVersion',
  clientCapabilities: 'io.modelcontextprotocol/clientCapabilities',
  clientInfo: 'io.modelcontextprotocol/clientInfo',
  logLevel: 'io.modelcontextprotocol/logLevel',
  serverInfo: 'io.modelcontextprotocol/serverInfo',
  subscriptionId: 'io.modelcontextprotocol/subscriptionId'
} as const

const SESSION_ERA = new Set<string>(SUPPORTED_PROTOCOL_VERSIONS)

const metaOfParams = (params: unknown): Record<string, unknown> | undefined => {
  const meta = typeof params === 'object' && params !== null ? (params as { _meta?: unknown })._meta : undefined
  return typeof meta === 'object' && meta !== null && !Array.isArray(meta) ? (meta as Record<string, unknown>) : undefined
}
const metaOf = (body: unknown): Record<string, unknown> | undefined => metaOfParams((body as { params?: unknown } | null)?.params)

/**
 * Whether a POST speaks the stateless revision. A 2025 client always sends initialize first and then its
 * Mcp-Session-Id, and names a 2025 version in MCP-Protocol-Version; a stateless request carries neither a
 * session nor initialize, and names its version in the header (any version we do not know of the 2025
 * era counts: the stateless path answers UnsupportedProtocolVersionError) or in `_meta`.
 */
export function isStatelessRequest(headers: Headers, body: unknown): boolean {
  if (headers['mcp-session-id']) return false
  if (Array.isArray(body)) return headerVersion(headers) === PROTOCOL_2026
  const hv = headerVersion(headers)
  // initialize belongs to the session era unless the request names a stateless version (it is then not found)
  if ((body as { method?: unknown } | null)?.method === 'initialize') return hv !== undefined && !SESSION_ERA.has(hv)
  if (hv !== undefined) return !SESSION_ERA.has(hv)
  return metaOf(body)?.[META.protocolVersion] !== undefined
}

const headerVersion = (h: Headers): string | undefined => h['mcp-protocol-version']?.trim() || undefined

/** what a stateless request says about its client, valid for this request only */
export interface RequestMeta {
  protocolVersion: string
  clientCapabilities: Record<string, unknown>
  clientInfo: unknown
  logLevel: string | undefined
}

/** a header value without surrounding whitespace, `=?base64?…?=` (how non-ASCII values travel) decoded */
export function decodeHeaderValue(v: string | undefined): string | undefined {
  const t = v?.trim()
  // most values are plain: the pattern runs only on one that opens like an encoded word
  const m = t?.startsWith('=?') ? /^=\?base64\?([A-Za-z0-9+/]*={0,2})\?=$/.exec(t) : null
  return m ? Buffer.from(m[1]!, 'base64').toString('utf8') : t
}

/** the params member an Mcp-Name header must repeat, by method */
export function nameOf(method: string, params: Record<string, unknown> | undefined): unknown {
  if (method === 'tools/call' || method === 'prompts/get') return params?.name
  if (method === 'resources/read') return params?.uri
  if (method === 'tasks/get' || method === 'tasks/update' || method === 'tasks/cancel') return params?.taskId
  return undefined
}

/**
 * The request's _meta, after the checks the revision requires, in the order the spec gives: a version
 * header, the two required _meta members, the header agreeing with _meta, a version we speak, then
 * Mcp-Method and Mcp-Name repeating the body (header values trimmed, compared case-sensitively).
 * Throws ProtocolFault MCP_HEADER_MISMATCH, MCP_META_INVALID or MCP_PROTOCOL_VERSION_UNSUPPORTED.
 */
export function checkRequest(headers: Headers, method: string, params: Record<string, unknown> | undefined): RequestMeta {
  const hv = headerVersion(headers)
  if (hv === undefined) throw new ProtocolFault('MCP_HEADER_MISMATCH', 'The MCP-Protocol-Version header is required on every request of a stateless protocol version.')
  const meta = metaOfParams(params)
  // every request passes here: the list of what is missing is made only when something is
  if (meta?.[META.protocolVersion] === undefined || meta[META.clientCapabilities] === undefined) {
    const missing = [META.protocolVersion, META.clientCapabilities].filter((k) => meta?.[k] === undefined)
    throw new ProtocolFault('MCP_META_INVALID', `Invalid params: params._meta lacks ${missing.join(' and ')}.`, { missing })
  }
  const version = meta![META.protocolVersion]
  const caps = meta![META.clientCapabilities]
  if (typeof version !== 'string') throw new ProtocolFault('MCP_META_INVALID', `Invalid params: ${META.protocolVersion} must be a string.`)
  if (typeof caps !== 'object' || caps === null || Array.isArray(caps)) throw new ProtocolFault('MCP_META_INVALID', `Invalid params: ${META.clientCapabilities} must be an object.`)
  if (version !== hv) throw new ProtocolFault('MCP_HEADER_MISMATCH', `The MCP-Protocol-Version header (${hv}) does not match ${META.protocolVersion} (${version}).`)
  if (!(STATELESS_VERSIONS as readonly string[]).includes(version)) {
    throw new ProtocolFault('MCP_PROTOCOL_VERSION_UNSUPPORTED', `Unsupported protocol version ${version}; this server speaks ${ALL_VERSIONS.join(', ')}.`, { supported: [...ALL_VERSIONS], requested: version })
  }
  const hm = headers['mcp-method']?.trim()
  if (hm !== method) throw new ProtocolFault('MCP_HEADER_MISMATCH', hm === undefined ? 'The Mcp-Method header is required.' : `The Mcp-Method header (${hm}) does not match the request method (${method}).`)
  const name = nameOf(method, params)
  const hn = decodeHeaderValue(headers['mcp-name'])
  if (name !== undefined && hn !== String(name)) throw new ProtocolFault('MCP_HEADER_MISMATCH', hn === undefined ? 'The Mcp-Name header is required for this method.' : `The Mcp-Name header does not match the request's ${method === 'resources/read' ? 'uri' : 'name'}.`)
  const logLevel = meta![META.logLevel]
  return { protocolVersion: version, clientCapabilities: caps as Record<string, unknown>, clientInfo: meta![META.clientInfo], logLevel: typeof logLevel === 'string' ? logLevel : undefined }
}

// Bounds on what an MCP client may make the server hold: initialize's clientInfo and capabilities (kept for
// the session's life) and the number of messages in a batch (what the body may make the parser do is
// json-budget's). Pure: every check is a function of the decoded JSON value, and none of them recurses, so no
// input can exhaust the stack or make the walk longer than the limit it checks.

/** each string inside clientInfo (name, version, title, websiteUrl, ...) */
export const CLIENT_INFO_MAX_STRING = 512
/** clientInfo as a whole, in bytes of its JSON text */
export const CLIENT_INFO_MAX_BYTES = 4 * 1024
/** capabilities as a whole, in bytes of its JSON text */
export const CAPABILITIES_MAX_BYTES = 16 * 1024
/** requests, notifications and responses in one JSON-RPC batch array (a 100k batch held the loop 3.4 s) */
export const BATCH_MAX = 100
/** what an idle session costs besides its client's data (ids, maps, timestamps): measured under 1 KB */
export const SESSION_BASE_BYTES = 1024

/** a limit the client went past: becomes a JSON-RPC -32602 (invalid params) error carrying `code` */
export interface LimitExceeded {
  code: 'MCP_PARAMS_TOO_LARGE'
  message: string
  field: string
  limit: number
}

/**
 * The JSON size of a decoded value, counted iteratively and no further than `max`: returns a number over
 * `max` as soon as the count passes it. Strings count their UTF-16 length plus quotes (a lower bound of
 * their UTF-8 bytes that is exact for ASCII); numbers and literals a small constant.
 */
export function jsonSize(value: unknown, max: number): number {
  let size = 0
  const stack: unknown[] = [value]
  while (stack.length) {
    const v = stack.pop()
    if (typeof v === 'string') size += v.length + 2
    else if (v === null || typeof v !== 'object') size += 8
    else if (Array.isArray(v)) {
      size += 2 + v.length
      for (let i = 0; i < v.length && size <= max; i++) stack.push(v[i])
    } else {
      size += 2
      for (const k in v) {
        if (!Object.hasOwn(v, k)) continue
        size += k.length + 4
        stack.push((v as Record<string, unknown>)[k])
        if (size > max) break
      }
    }
    if (size > max) return size
  }
  return size
}

/** the first string longer than `max` anywhere inside the value, by its key path */
function longString(value: unknown, max: number, path: string): string | undefined {
  const stack: Array<[unknown, string]> = [[value, path]]
  while (stack.length) {
    const [v, p] = stack.pop()!
    if (typeof v === 'string' && v.length > max) return p
    if (v !== null && typeof v === 'object') for (const [k, c] of Object.entries(v)) stack.push([c, `${p}.${k}`])
  }
  return undefined
}

const exceeded = (field: string, limit: number, what: string): LimitExceeded => ({ code: 'MCP_PARAMS_TOO_LARGE', field, limit, message: `Invalid params: ${field} ${what} (at most ${limit}). Send less; this server keeps it for the session's life.` })

/**
 * initialize's clientInfo and capabilities, checked before a session keeps them. Over a cap is an error,
 * never a silent truncation: a client learns at once that it sent too much. Returns the two values and
 * their cost for the session budget, or the limit that was passed.
 */
export function checkClientData(params: Record<string, unknown> | undefined): { clientInfo: unknown; capabilities: Record<string, unknown>; bytes: number } | LimitExceeded {
  const clientInfo = params?.clientInfo
  const caps = params?.capabilities
  const capabilities = caps !== null && typeof caps === 'object' && !Array.isArray(caps) ? (caps as Record<string, unknown>) : {}
  const long = longString(clientInfo, CLIENT_INFO_MAX_STRING, 'clientInfo')
  if (long) return exceeded(long, CLIENT_INFO_MAX_STRING, 'is too long a string')
  const infoBytes = jsonSize(clientInfo, CLIENT_INFO_MAX_BYTES)
  if (infoBytes > CLIENT_INFO_MAX_BYTES) return exceeded('clientInfo', CLIENT_INFO_MAX_BYTES, 'is too large as JSON, in bytes')
  const capBytes = jsonSize(capabilities, CAPABILITIES_MAX_BYTES)
  if (capBytes > CAPABILITIES_MAX_BYTES) return exceeded('capabilities', CAPABILITIES_MAX_BYTES, 'is too large as JSON, in bytes')
  return { clientInfo, capabilities, bytes: SESSION_BASE_BYTES + infoBytes + capBytes }
}

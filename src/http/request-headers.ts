// The request headers this server reads, and how they are read: by name, once, before the handler returns
// (uWS's request object is valid only until then). Walking every header with forEach cost a call from C++
// into JavaScript and an interned property name per header (about 3 us for a client's nine); asking uWS
// for each name we read is a cheap call the other way. The list is a type too: a route that reads a header
// not named here does not compile, so none of them silently reads nothing.

export const REQUEST_HEADERS = [
  'host',
  'origin',
  'sec-fetch-site',
  'authorization',
  'cookie',
  'x-upload-token',
  'x-forwarded-for',
  'x-forwarded-proto',
  'content-type',
  'content-length',
  'accept',
  'range',
  'mcp-session-id',
  'mcp-protocol-version',
  'mcp-method',
  'mcp-name',
  'last-event-id',
  'x-mcp-reply'
] as const

type RequestHeaderName = (typeof REQUEST_HEADERS)[number]

/** the headers a request carries among those read; an empty value counts as absent, as uWS cannot tell them apart */
export type RequestHeaders = { readonly [K in RequestHeaderName]?: string }

/**
 * The names as bytes: uWS takes a string argument by converting it to UTF-8 first, a byte array as it is,
 * which halves what each call costs (about 70 ns against 140).
 */
const KEYS: readonly Uint8Array[] = REQUEST_HEADERS.map((n) => Buffer.from(n, 'latin1'))

/** every header the server reads, in one pass while the request is valid (the first of repeated ones) */
export function readHeaders(req: { getHeader(lowerCaseKey: Uint8Array): string }): RequestHeaders {
  const headers: { [K in RequestHeaderName]?: string } = {}
  for (let i = 0; i < KEYS.length; i++) {
    const v = req.getHeader(KEYS[i]!)
    if (v) headers[REQUEST_HEADERS[i]!] = v
  }
  return headers
}

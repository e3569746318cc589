// The request headers this server reads, and how they are read: by name, once, before the handler returns
// (uWS's request object is valid only until then). Walking every header with forEach cost a call from C++
// into JavaScript and an interned property name per header; asking uWS for each name we read is a cheap
// call the other way. The list is a type too: a route that reads a header not named here does not compile,
// so none of them silently reads nothing.
import type { HttpRequest } from './uws.js'

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

export type RequestHeaderName = (typeof REQUEST_HEADERS)[number]

/** the headers a request carries among those read; an empty value counts as absent, as uWS cannot tell them apart */
export type RequestHeaders = { readonly [K in RequestHeaderName]?: string }

/** every header the server reads, in one pass while the request is valid (the first of repeated ones) */
export function readHeaders(req: Pick<HttpRequest, 'getHeader'>): RequestHeaders {
  const headers: { [K in RequestHeaderName]?: string } = {}
  for (const name of REQUEST_HEADERS) {
    const v = req.getHeader(name)
    if (v) headers[name] = v
  }
  return headers
}

// The only place that writes responses: cork, status, headers, end, and nothing after an abort.
import type { HttpResponse } from './uws.js'
import { AppError, toAppError } from '../errors/app-error.js'
import { wireBody } from './wire-buffer.js'
import { headerValue } from './header-values.js'

export interface ResState {
  aborted: boolean
  /** called once when the client goes away */
  onAbort?: () => void
}

/** a header given more than once (Set-Cookie) is an array */
export type Headers = Record<string, string | readonly string[]>

const STATUS_TEXT: Record<number, string> = {
  200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content', 206: 'Partial Content', 301: 'Moved Permanently', 302: 'Found', 304: 'Not Modified',
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 406: 'Not Acceptable', 408: 'Request Timeout', 409: 'Conflict',
  410: 'Gone', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 416: 'Range Not Satisfiable', 422: 'Unprocessable Entity', 429: 'Too Many Requests',
  421: 'Misdirected Request', 431: 'Request Header Fields Too Large', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout'
}

export const statusLine = (status: number): string => `${status} ${STATUS_TEXT[status] ?? ''}`.trim()

/**
 * What the hot replies (every /mcp answer) hand uWS: bytes made once, since uWS converts a string argument
 * to UTF-8 on every call (about 70 ns each).
 */
const STATUS_BYTES = new Map(Object.keys(STATUS_TEXT).map((k) => [Number(k), Buffer.from(statusLine(Number(k)), 'latin1')]))
export const wireStatus = (status: number): Uint8Array | string => STATUS_BYTES.get(status) ?? statusLine(status)
export const CONTENT_TYPE = Buffer.from('content-type', 'latin1')
export const APPLICATION_JSON = Buffer.from('application/json', 'latin1')

export function send(res: HttpResponse, st: ResState, status: number, body: string | Uint8Array, headers: Headers = {}): void {
  if (st.aborted) return
  res.cork(() => {
    res.writeStatus(statusLine(status))
    for (const [k, v] of Object.entries(headers)) for (const one of typeof v === 'string' ? [v] : v) res.writeHeader(k, headerValue(one))
    res.end(wireBody(body))
  })
}

export function sendJson(res: HttpResponse, st: ResState, status: number, body: unknown, headers: Headers = {}): void {
  send(res, st, status, JSON.stringify(body), { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers })
}

/** the stable error body: { error: { code, message, retryable, data? } }; never a stack trace */
export function sendError(res: HttpResponse, st: ResState, err: unknown, headers: Headers = {}): void {
  const e = err instanceof AppError ? err : toAppError(err)
  const challenge = e.data?.wwwAuthenticate
  if (typeof challenge === 'string') headers = { ...headers, 'www-authenticate': challenge }
  const retryAfter = e.data?.retry_after
  if (typeof retryAfter === 'number') headers = { ...headers, 'retry-after': String(retryAfter) }
  sendJson(res, st, e.status, { error: { code: e.code, message: e.message, retryable: e.retryable, ...(e.data ? { data: e.data } : {}) } }, headers)
}

// Turns a uWS (res, req) pair into a plain request snapshot and a handler call: onAborted is owned here,
// and any error a handler throws becomes the stable JSON error body.
import type { HttpRequest, HttpResponse } from './uws.js'
import { sendError, type ResState } from './respond.js'
import type { Logger } from 'pino'
import { AppError } from '../errors/app-error.js'
import { readHeaders, type RequestHeaders } from './request-headers.js'

export interface RequestInfo {
  method: string
  path: string
  /** parsed when first read: most requests (every /mcp call) never look at it */
  readonly query: URLSearchParams
  headers: RequestHeaders
  /** the route's :parameters, percent-decoded */
  params: string[]
}

class Snapshot implements RequestInfo {
  private parsed: URLSearchParams | undefined
  constructor(readonly method: string, readonly path: string, private readonly rawQuery: string, readonly headers: RequestHeaders, readonly params: string[]) {}
  get query(): URLSearchParams {
    return (this.parsed ??= new URLSearchParams(this.rawQuery))
  }
}

/** a percent-decoded path segment, or undefined when its encoding is broken */
function decodeSegment(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw)
  } catch {
    return undefined
  }
}

export type Handler = (r: RequestInfo, res: HttpResponse, st: ResState) => void | Promise<void>

/**
 * The request's headers (`headers` when the route table's gate read them already), method, path, query
 * and decoded parameters; INVALID_INPUT for a badly encoded parameter.
 */
export function snapshot(req: HttpRequest, paramCount = 0, headers: RequestHeaders = readHeaders(req)): RequestInfo {
  const params: string[] = []
  for (let i = 0; i < paramCount; i++) {
    const p = decodeSegment(req.getParameter(i) ?? '')
    if (p === undefined) throw new AppError('INVALID_INPUT', 'Bad percent-encoding in the path.')
    params.push(p)
  }
  return new Snapshot(req.getCaseSensitiveMethod().toUpperCase(), req.getUrl(), req.getQuery() ?? '', headers, params)
}

/**
 * A handler that reads its body must call readBody before its first await: uWS delivers body chunks only to
 * an onData callback attached during the synchronous part of the request handler. It must decide auth
 * (from the headers) before it calls readBody: a refusal thrown before then is answered at once, and uWS
 * discards the body that follows (no onData, nothing buffered) and keeps the connection for the next
 * request, so the client reads the 401 instead of a reset.
 */
export function wrap(handler: Handler, log: Logger, paramCount = 0): (res: HttpResponse, req: HttpRequest, headers?: RequestHeaders) => void {
  return (res, req, headers) => {
    const st: ResState = { aborted: false }
    res.onAborted(() => {
      st.aborted = true
      st.onAbort?.()
    })
    // the path alone: `fail` lives as long as the handler runs (a wait of minutes), the request's headers need not
    let path: string | undefined
    const fail = (err: unknown): void => {
      const status = (err as { status?: number }).status ?? 500
      // a retryable coded failure (the worker restarting, WhatsApp not connected) is a state, not a bug: no stack
      if (status >= 500 && err instanceof AppError && err.retryable) log.warn({ code: err.code, path }, 'request failed for now')
      else if (status >= 500) log.error({ err, path }, 'request failed')
      // a refusal is the client's mistake: its code is enough, a stack trace would only fill the log
      else log.debug({ code: (err as { code?: string }).code, path }, 'request rejected')
      sendError(res, st, err)
    }
    let info: RequestInfo
    try {
      info = snapshot(req, paramCount, headers)
      path = info.path
    } catch (err) {
      return fail(err)
    }
    try {
      const p = handler(info, res, st)
      if (p) p.catch(fail)
    } catch (err) {
      fail(err)
    }
  }
}

// Turns a uWS (res, req) pair into a plain request snapshot and a handler call: onAborted is owned here,
// and any error a handler throws becomes the stable JSON error body.
import type { HttpRequest, HttpResponse } from './uws.js'
import { sendError, type ResState } from './respond.js'
import type { Logger } from 'pino'

export interface RequestInfo {
  method: string
  path: string
  query: URLSearchParams
  headers: Record<string, string>
  params: string[]
}

export type Handler = (r: RequestInfo, res: HttpResponse, st: ResState) => void | Promise<void>

export function snapshot(req: HttpRequest, paramCount = 0): RequestInfo {
  const headers: Record<string, string> = {}
  req.forEach((k, v) => {
    headers[k] = v
  })
  const params: string[] = []
  for (let i = 0; i < paramCount; i++) params.push(req.getParameter(i) ?? '')
  return { method: req.getCaseSensitiveMethod().toUpperCase(), path: req.getUrl(), query: new URLSearchParams(req.getQuery() ?? ''), headers, params }
}

/**
 * A handler that reads its body must call readBody before its first await: uWS delivers body chunks only to
 * an onData callback attached during the synchronous part of the request handler.
 */
export function wrap(handler: Handler, log: Logger, paramCount = 0): (res: HttpResponse, req: HttpRequest) => void {
  return (res, req) => {
    const st: ResState = { aborted: false }
    res.onAborted(() => {
      st.aborted = true
      st.onAbort?.()
    })
    const info = snapshot(req, paramCount)
    const fail = (err: unknown): void => {
      const status = (err as { status?: number }).status ?? 500
      if (status >= 500) log.error({ err, path: info.path }, 'request failed')
      else log.debug({ err, path: info.path }, 'request rejected')
      sendError(res, st, err)
    }
    try {
      const p = handler(info, res, st)
      if (p) p.catch(fail)
    } catch (err) {
      fail(err)
    }
  }
}

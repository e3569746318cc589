// The uWS app every route is registered on, behind the request policy: each handler is wrapped so that the
// Host and Origin verdict (request-policy.ts) is taken from the headers before the route sees the request,
// and every registration is recorded, so the route table can be listed (start-up log, the fuzz test).
import type { HttpRequest, HttpResponse, TemplatedApp } from './uws.js'
import { decide, type PolicyConfig, type Verdict } from './request-policy.js'
import { send, type ResState } from './respond.js'
import { ERROR_CODES } from '../errors/codes.js'
import { readHeaders, type RequestHeaders } from './request-headers.js'

/** one registered route: the uWS method name upper-cased (ANY for `any`) and its pattern */
export interface RouteEntry {
  method: string
  pattern: string
}

const METHODS = ['get', 'post', 'put', 'del', 'patch', 'options', 'head', 'any'] as const
/** a uWS handler; behind the gate it also gets the request's headers, read once (router.ts takes them) */
type UwsHandler = (res: HttpResponse, req: HttpRequest, headers?: RequestHeaders) => void

/** the refusal in the route's own protocol: JSON-RPC on /mcp, the stable error body elsewhere */
function refuse(res: HttpResponse, pattern: string, v: Verdict): void {
  // no onData: uWS discards the body of a refused request, none of it is buffered
  const st: ResState = { aborted: false }
  const body =
    pattern === '/mcp'
      ? { jsonrpc: '2.0', id: null, error: { code: -32000, message: `Forbidden: ${v.message}`, data: { code: v.code } } }
      : { error: { code: v.code, message: v.message, retryable: ERROR_CODES[v.code].retryable } }
  send(res, st, ERROR_CODES[v.code].status, JSON.stringify(body), { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
}

/**
 * The app to register routes on: the same TemplatedApp, with every handler gated by the policy. Routes
 * registered on the returned app are listed in `routes`, in registration order.
 */
export function policedApp(app: TemplatedApp, cfg: PolicyConfig): { app: TemplatedApp; routes: RouteEntry[] } {
  const routes: RouteEntry[] = []
  // judged by the pattern the handler was registered for, not the request's spelling of the path: whatever
  // uWS routes to an /api handler is checked as /api
  const gate = (handler: UwsHandler, pattern: string): UwsHandler => (res, req) => {
    const h = readHeaders(req)
    const v = decide(cfg, req.getCaseSensitiveMethod(), pattern, { host: h.host, origin: h.origin, secFetchSite: h['sec-fetch-site'], authorization: h.authorization, uploadToken: h['x-upload-token'], cookie: h.cookie })
    if (v) return refuse(res, pattern, v)
    handler(res, req, h)
  }
  const proxy: TemplatedApp = new Proxy(app, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown
      if (typeof value !== 'function') return value
      // the native methods need the native object as `this`
      if (typeof prop !== 'string' || !(METHODS as readonly string[]).includes(prop)) return (value as (...a: unknown[]) => unknown).bind(target)
      return (pattern: string, handler: UwsHandler) => {
        routes.push({ method: prop === 'del' ? 'DELETE' : prop.toUpperCase(), pattern })
        ;(value as (p: string, h: UwsHandler) => TemplatedApp).call(target, pattern, gate(handler, pattern))
        return proxy
      }
    }
  })
  return { app: proxy, routes }
}

// POST/GET/DELETE /mcp: auth, Origin check, body limit, JSON-RPC shape, and session routing; the rest of
// the Streamable HTTP rules are applied by the SDK transport of the chosen session.
import type { Handler } from '../router.js'
import { readBody } from '../read-body.js'
import { sendJson } from '../respond.js'
import { pipeResponse } from '../pipe-response.js'
import type { TokenGuard } from '../auth.js'
import type { SessionRegistry } from '../../mcp/sessions.js'
import { AppError } from '../../errors/app-error.js'

export interface McpRouteOptions {
  guard: TokenGuard
  sessions: SessionRegistry
  maxBodyBytes: number
  allowedOrigins: readonly string[]
  baseUrl: string
}

const rpcError = (code: number, message: string, id: unknown = null) => ({ jsonrpc: '2.0', id, error: { code, message } })

const LOOPBACK_ORIGIN = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/

function isRpcObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && (v as { jsonrpc?: unknown }).jsonrpc === '2.0'
}

export function mcpRoute(o: McpRouteOptions): Handler {
  return (r, res, st) => {
    // start reading before anything async: uWS hands body chunks only to a callback attached now
    const body = r.method === 'POST' ? readBody(res, st, o.maxBodyBytes, r.headers['content-length'] ? Number(r.headers['content-length']) : undefined) : undefined
    body?.catch(() => undefined)
    return (async () => {
      if (!o.guard.allows(r.headers.authorization)) {
        sendJson(res, st, 401, rpcError(-32001, 'Unauthorized: a valid bearer token is required'), { 'www-authenticate': 'Bearer realm="mcp"' })
        return
      }
      // DNS-rebinding protection: a browser page may only reach /mcp from an allowed origin
      const origin = r.headers.origin
      if (origin && !o.allowedOrigins.includes(origin) && !o.allowedOrigins.includes('*') && !LOOPBACK_ORIGIN.test(origin)) {
        sendJson(res, st, 403, rpcError(-32000, `Forbidden: origin ${origin} is not allowed`))
        return
      }
      let raw: Buffer | undefined
      let parsed: unknown
      if (body) {
        try {
          raw = await body
        } catch (err) {
          if (err instanceof AppError && err.code === 'PAYLOAD_TOO_LARGE') sendJson(res, st, 413, rpcError(-32600, err.message))
          return
        }
        try {
          parsed = JSON.parse(raw.toString('utf8'))
        } catch {
          sendJson(res, st, 400, rpcError(-32700, 'Parse error: the body is not valid JSON'))
          return
        }
        const items = Array.isArray(parsed) ? parsed : [parsed]
        if (items.length === 0 || !items.every(isRpcObject)) {
          sendJson(res, st, 400, rpcError(-32600, 'Invalid Request: expected a JSON-RPC 2.0 message or batch'))
          return
        }
      }
      const sid = r.headers['mcp-session-id']
      let session = sid ? o.sessions.get(sid) : undefined
      if (sid && !session) {
        sendJson(res, st, 404, rpcError(-32001, 'Session not found: initialize a new session'))
        return
      }
      if (!session) {
        const items = (Array.isArray(parsed) ? parsed : [parsed]) as Array<{ method?: string }>
        if (r.method !== 'POST' || !items.some((m) => m?.method === 'initialize')) {
          sendJson(res, st, 400, rpcError(-32000, 'Bad Request: Mcp-Session-Id header is required'))
          return
        }
        session = await o.sessions.create()
      }
      const headers = new Headers()
      for (const [k, v] of Object.entries(r.headers)) headers.set(k, v)
      const request = new Request(`${o.baseUrl}${r.path}`, { method: r.method, headers, ...(raw ? { body: new Uint8Array(raw) } : {}) })
      session.busy++
      try {
        const response = await session.transport.handleRequest(request, { parsedBody: parsed })
        await pipeResponse(response, res, st)
      } finally {
        session.busy--
        session.lastSeen = Date.now()
      }
    })()
  }
}

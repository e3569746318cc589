// The consent page's API (admin/src/consent.ts): the pending authorization request it shows, and the
// person's decision. Under /api, so behind the admin sign-in and the same-origin rule (request-policy.ts):
// no other site can approve a request for the person, and the answer is where to send the browser next.
import type { TemplatedApp } from '../uws.js'
import { wrap, type Handler } from '../router.js'
import { sendJson } from '../respond.js'
import { readBody, parseJsonObject } from '../read-body.js'
import type { AdminAuth } from '../admin-auth.js'
import { AppError } from '../../errors/app-error.js'
import { TOOLSETS, type ChatScope, type Toolset } from '../../access/principal.js'
import { toJid } from '../../store/jid.js'
import type { AuthorizationServer, PendingRequest } from '../../oauth/authorization-server.js'
import type { OAuthStore } from '../../oauth/oauth-store.js'
import type { Logger } from 'pino'

/** chats one grant may list */
const MAX_CHATS = 1_000

const where = (uri: string): string => {
  const u = new URL(uri)
  return u.host || u.protocol.replace(/:$/, '')
}

const view = (p: PendingRequest) => ({
  client: { name: p.client.name, id: p.client.clientId, kind: p.client.kind, ...(p.client.clientUri ? { uri: p.client.clientUri } : {}) },
  redirect_host: where(p.redirectUri),
  requested: p.requested ?? null,
  toolsets: p.requested ?? TOOLSETS
})

/** the toolsets and chats of an approval; INVALID_INPUT naming what is wrong */
function parseApproval(b: Record<string, unknown>, p: PendingRequest): { toolsets: Toolset[]; chats: ChatScope } {
  const offered: readonly string[] = p.requested ?? TOOLSETS
  const t = b.toolsets
  if (!Array.isArray(t) || t.length === 0 || !t.every((x) => typeof x === 'string' && offered.includes(x))) throw new AppError('INVALID_INPUT', `toolsets must list at least one of ${offered.join(', ')}.`)
  const c = b.chats as { mode?: unknown; jids?: unknown } | undefined
  if (c === undefined || (typeof c === 'object' && c !== null && c.mode === 'all')) return { toolsets: [...new Set(t as Toolset[])], chats: { mode: 'all' } }
  if (typeof c !== 'object' || c === null || (c.mode !== 'allow' && c.mode !== 'deny') || !Array.isArray(c.jids) || c.jids.length === 0 || c.jids.length > MAX_CHATS) {
    throw new AppError('INVALID_INPUT', `chats must be {"mode": "all"} or {"mode": "allow" | "deny", "jids": [1 to ${MAX_CHATS} chats]}.`)
  }
  const jids = c.jids.map((j) => (typeof j === 'string' ? toJid(j) : undefined))
  if (jids.some((j) => !j)) throw new AppError('WA_JID_INVALID', 'A chat in the list is not a JID or phone number.')
  return { toolsets: [...new Set(t as Toolset[])], chats: { mode: c.mode, jids: [...new Set(jids as string[])] } }
}

/** the consent API, and the grants it made: listed for the admin, and revocable there */
export function registerOAuthConsent(app: TemplatedApp, server: AuthorizationServer, store: OAuthStore, auth: AdminAuth, log: Logger): void {
  const authed = (h: Handler, params = 1) =>
    wrap((r, res, st) => {
      auth.check(r, res)
      return h(r, res, st)
    }, log, params)

  app.get('/api/oauth/grants', authed((_r, res, st) => {
    const grants = store.grants().map((g) => ({ id: g.id, client_id: g.clientId, client_name: g.clientName, toolsets: g.toolsets, chats: g.chats, created_at: g.createdAt, revoked: g.revoked }))
    sendJson(res, st, 200, { grants })
  }, 0))
  app.del('/api/oauth/grants/:id', authed((r, res, st) => {
    if (!store.revokeGrantById(r.params[0]!, Date.now())) throw new AppError('NOT_FOUND', 'No live grant with this id.')
    sendJson(res, st, 200, { ok: true })
  }))

  app.get('/api/oauth/requests/:id', authed((r, res, st) => sendJson(res, st, 200, view(server.request(r.params[0]!, Date.now())))))

  app.post('/api/oauth/requests/:id', authed((r, res, st) => {
    const body = readBody(res, st, 64 * 1024)
    body.catch(() => undefined)
    return (async () => {
      const b = parseJsonObject(await body, 'Expected {"approve": true, "toolsets": [...], "chats": {...}} or {"approve": false}.')
      const now = Date.now()
      const id = r.params[0]!
      if (b.approve === false) return sendJson(res, st, 200, { redirect: server.decide(id, { approve: false }, now) })
      if (b.approve !== true) throw new AppError('INVALID_INPUT', 'approve must be true or false.')
      const grant = parseApproval(b, server.request(id, now))
      sendJson(res, st, 200, { redirect: server.decide(id, { approve: true, ...grant }, now) })
    })()
  }))
}

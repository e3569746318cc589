// /api/credentials and /api/chat-policy: the named credentials (create, list, revoke) and the per-chat
// policy, for the admin UI and scripts. Behind the admin guard like every /api route (the caller passes its
// `authed`) and the front's same-origin rule. A new credential's token is in the 201 answer, and nowhere else.
import type { TemplatedApp } from '../uws.js'
import type { Handler } from '../router.js'
import { sendJson } from '../respond.js'
import { readBody, parseJsonObject } from '../read-body.js'
import type { Services } from '../../app/services.js'
import { AppError } from '../../errors/app-error.js'
import { scopeOf, type CredentialApproval } from '../../access/credentials.js'
import { CHAT_POLICIES, type ChatPolicy } from '../../access/chat-policy.js'
import type { ChatScope, Toolset } from '../../access/principal.js'

type Authed = (h: Handler, opts?: { params?: number }) => ReturnType<typeof import('../router.js').wrap>

const BODY_MAX = 64 * 1024

function access(s: Services) {
  if (!s.access) throw new AppError('SHUTTING_DOWN', 'Credentials are not available.')
  return s.access
}

/** the chats a scope names, canonical; CREDENTIALS_INVALID naming those this store has never seen */
function knownScope(s: Services, raw: unknown): ChatScope {
  if (raw === undefined || raw === 'all') return { mode: 'all' }
  const scope = scopeOf(raw, (j) => s.contacts.canonical(j) ?? j)
  if (scope.mode === 'all') return scope
  const unknown = scope.jids.filter((j) => !s.chats.get(j))
  if (unknown.length) throw new AppError('CREDENTIALS_INVALID', `chats: ${unknown.length} of the chats are not known here: ${unknown.slice(0, 5).join(', ')}`, { unknown: unknown.slice(0, 50) })
  return scope
}

function expiry(v: unknown): number | null {
  if (v === undefined || v === null || v === '') return null
  const t = typeof v === 'number' ? v : Date.parse(String(v))
  if (!Number.isFinite(t)) throw new AppError('CREDENTIALS_INVALID', 'expires_at: an ISO date, ms since the epoch, or null for never')
  return t
}

/** a chat named in a path, canonical */
function chatParam(s: Services, raw: string): string {
  const jid = s.contacts.canonical(raw)
  if (!jid) throw new AppError('CHAT_POLICY_INVALID', 'The chat must be a JID or a phone number.')
  return jid
}

export function registerAccessApi(app: TemplatedApp, s: Services, authed: Authed): void {
  app.get('/api/credentials', authed((_r, res, st) => sendJson(res, st, 200, { credentials: access(s).credentials.list() })))
  app.post('/api/credentials', authed((_r, res, st) => {
    const body = readBody(res, st, BODY_MAX)
    return (async () => {
      const b = parseJsonObject(await body, 'The body must be a JSON object: {"name", "toolsets", "chats", "expires_at", "approval"}.')
      const made = access(s).credentials.create({ name: String(b.name ?? '').trim(), toolsets: (Array.isArray(b.toolsets) ? b.toolsets : []) as Toolset[], chats: knownScope(s, b.chats), expires_at: expiry(b.expires_at), ...(b.approval !== undefined ? { approval: b.approval as CredentialApproval } : {}) })
      sendJson(res, st, 201, made)
    })()
  }))
  app.del('/api/credentials/:id', authed((r, res, st) => sendJson(res, st, 200, { credential: access(s).credentials.revoke(r.params[0]!) }), { params: 1 }))

  app.get('/api/chat-policy', authed((_r, res, st) => sendJson(res, st, 200, { policies: access(s).policies.list(), kinds: CHAT_POLICIES })))
  // {"policy": "never" | "read_only" | "approval" | null}
  app.put('/api/chat-policy/:jid', authed((r, res, st) => {
    const body = readBody(res, st, BODY_MAX)
    return (async () => {
      const jid = chatParam(s, r.params[0]!)
      const b = parseJsonObject(await body, 'The body must be a JSON object: {"policy"}.')
      if (!('policy' in b)) throw new AppError('CHAT_POLICY_INVALID', `policy: one of ${CHAT_POLICIES.join(', ')}, or null to clear it`)
      if (b.policy !== null && !s.chats.get(jid)) throw new AppError('CHAT_POLICY_INVALID', `No chat ${jid} is known here.`)
      sendJson(res, st, 200, { jid, policy: access(s).policies.set(jid, b.policy as ChatPolicy | null)?.policy ?? null })
    })()
  }, { params: 1 }))
}

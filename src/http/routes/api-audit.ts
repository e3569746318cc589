// /api/audit (one page, newest first, by cursor) and /api/audit/export (JSON lines, oldest first, streamed
// with backpressure), behind the admin guard like every /api route.
import type { TemplatedApp, HttpResponse } from '../uws.js'
import { wrap, type Handler } from '../router.js'
import { Authenticator } from '../../access/authenticate.js'
import { sendJson, statusLine, type ResState } from '../respond.js'
import { contentDisposition } from '../header-values.js'
import type { Services } from '../../app/services.js'
import { AppError } from '../../errors/app-error.js'
import type { AuditLog, AuditQuery } from '../../audit/audit-log.js'

type Authed = (h: Handler, opts?: { params?: number }) => ReturnType<typeof import('../router.js').wrap>

const LIMIT_DEFAULT = 100
const LIMIT_MAX = 500
/** rows per chunk of the export: one query and one write each */
const EXPORT_PAGE = 500
/** the cursor is the id of the last row of a page, prefixed so that a foreign value is told apart */
const CURSOR = /^au([1-9]\d{0,14})$/

/** ms since the epoch from `v` (digits, or an ISO date); AUDIT_QUERY_INVALID otherwise */
function time(name: string, v: string | null): number | undefined {
  if (v === null || v === '') return undefined
  const n = /^\d{1,15}$/.test(v) ? Number(v) : Date.parse(v)
  if (!Number.isFinite(n)) throw new AppError('AUDIT_QUERY_INVALID', `${name} must be ms since the epoch or an ISO date, got "${v.slice(0, 40)}".`)
  return n
}

const text = (q: URLSearchParams, name: string): string | undefined => q.get(name)?.trim().slice(0, 300) || undefined

/** the filters of a request (?since&until&tool&chat&credential&code&kind), shared by the page and the export */
export function parseFilters(q: URLSearchParams): Omit<AuditQuery, 'limit'> {
  return { since: time('since', q.get('since')), until: time('until', q.get('until')), tool: text(q, 'tool'), chat: text(q, 'chat'), credential: text(q, 'credential'), code: text(q, 'code'), kind: text(q, 'kind') }
}

/** one page's query: the filters, the cursor and the limit */
export function parsePage(q: URLSearchParams): AuditQuery {
  const cursor = q.get('cursor')
  let before: number | undefined
  if (cursor) {
    const m = CURSOR.exec(cursor)
    if (!m) throw new AppError('AUDIT_CURSOR_INVALID')
    before = Number(m[1])
  }
  const raw = q.get('limit')
  const limit = raw ? Number(raw) : LIMIT_DEFAULT
  if (!Number.isInteger(limit) || limit < 1 || limit > LIMIT_MAX) throw new AppError('AUDIT_QUERY_INVALID', `limit must be an integer 1..${LIMIT_MAX}.`)
  return { ...parseFilters(q), before, limit }
}

function trail(s: Services): AuditLog {
  if (!s.audit) throw new AppError('SHUTTING_DOWN', 'The audit trail is not running.')
  return s.audit.log
}

/** writes `chunk`; when uWS could not send it all (it keeps the rest), resolves once the socket drains */
function write(res: HttpResponse, st: ResState, chunk: Buffer): Promise<void> {
  if (st.aborted) return Promise.resolve()
  let ok = false
  res.cork(() => (ok = res.write(chunk)))
  if (ok) return Promise.resolve()
  return new Promise((resolve) => {
    const prev = st.onAbort
    st.onAbort = () => {
      prev?.()
      resolve()
    }
    res.onWritable(() => {
      resolve()
      return true
    })
  })
}

/**
 * Whether the request carries a named credential or an OAuth token that may read the audit trail (the
 * admin or audit toolset): an agent's operator reads the trail with that token instead of the admin's.
 */
export function auditReader(s: Services): (authorization: string | undefined) => boolean {
  const access = s.access
  if (!access) return () => false
  const chain = new Authenticator({ staticTokens: [], credentials: access.credentials, verifiers: access.verifiers })
  return (authorization) => {
    if (!authorization) return false
    const who = chain.authenticate(authorization)
    if (!('principal' in who)) return false
    const p = who.principal
    return (p.kind === 'credential' || p.kind === 'oauth') && (p.toolsets === 'all' || p.toolsets.has('admin') || p.toolsets.has('audit'))
  }
}

export function registerAuditApi(app: TemplatedApp, s: Services, authed: Authed): void {
  // a chat filter names the chat as the records do: a phone number or a LID finds the chat's JID
  const canonical = <Q extends { chat?: string }>(q: Q): Q => (q.chat ? { ...q, chat: s.contacts.canonical(q.chat) ?? q.chat } : q)
  const reader = auditReader(s)
  // the admin's session or token, or a credential holding the admin or audit toolset
  const readers: Authed = (h, opts) => {
    const admin = authed(h, opts)
    return (res, req) => (reader(req.getHeader('authorization') || undefined) ? wrap(h, s.log, opts?.params ?? 0)(res, req) : admin(res, req))
  }

  app.get('/api/audit', readers((r, res, st) => {
    const q = canonical(parsePage(r.query))
    const records = trail(s).query(q)
    sendJson(res, st, 200, { records, next_cursor: records.length === q.limit ? `au${records.at(-1)!.id}` : null, stats: trail(s).stats })
  }))

  app.get('/api/audit/export', readers(async (r, res, st) => {
    const filters = canonical(parseFilters(r.query))
    const log = trail(s)
    res.cork(() => {
      res.writeStatus(statusLine(200))
      res.writeHeader('content-type', 'application/x-ndjson; charset=utf-8')
      res.writeHeader('cache-control', 'no-store')
      res.writeHeader('content-disposition', contentDisposition('attachment', 'audit.jsonl'))
    })
    let after = 0
    while (!st.aborted) {
      const rows = log.query({ ...filters, after, limit: EXPORT_PAGE })
      if (!rows.length) break
      after = rows.at(-1)!.id
      await write(res, st, Buffer.from(rows.map((x) => `${JSON.stringify(x)}\n`).join('')))
    }
    if (!st.aborted) res.cork(() => res.end())
  }))
}

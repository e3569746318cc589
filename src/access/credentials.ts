// Named credentials for /mcp: made and revoked in the admin UI (or given by MCP_CREDENTIALS), each with
// toolsets, a chat scope and an expiry. Only SHA-256 digests of the tokens are kept, in a small SQLite
// file of the main thread (0600); every credential is also held in memory by digest, so checking a token
// on each request is one hash and one Map lookup, synchronous, before a body byte is read.
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import Database from 'better-sqlite3'
import { privateDatabase } from '../store/private-files.js'
import { AppError } from '../errors/app-error.js'
import { TOOLSETS, type ChatScope, type Principal, type Toolset } from './principal.js'

/** tokens we make look like this, so a leaked one is recognisable (and secret scanners can match it) */
export const TOKEN_PREFIX = 'wms_'
/** the shape of a credential token: ours are 43 characters after the prefix, MCP_CREDENTIALS may bring others */
export const TOKEN_SHAPE = /^wms_[A-Za-z0-9_-]{22,128}$/

export interface CredentialInfo {
  id: string
  name: string
  toolsets: Toolset[]
  chats: ChatScope
  /** ms since the epoch, or null: never */
  expires_at: number | null
  created_at: number
  last_used_at: number | null
  revoked_at: number | null
  /** `admin`: made in the admin UI or /api; `env`: from MCP_CREDENTIALS (revoked by removing it there) */
  source: 'admin' | 'env'
  /** what of its calls waits for a person's approval (src/approvals): none, sends, or sends and other actions */
  approval: CredentialApproval
}

export const CREDENTIAL_APPROVALS = ['none', 'sends', 'actions'] as const
export type CredentialApproval = (typeof CREDENTIAL_APPROVALS)[number]

/** what verifying a token found: a principal, or why the token is refused */
export type CredentialCheck = { ok: Principal } | { refused: 'CREDENTIAL_INVALID' | 'CREDENTIAL_EXPIRED' | 'CREDENTIAL_REVOKED' }

export interface NewCredential {
  name: string
  toolsets: readonly Toolset[]
  chats: ChatScope
  expires_at?: number | null
  /** default none */
  approval?: CredentialApproval
  /** for MCP_CREDENTIALS only: the operator chose the token */
  token?: string
}

const digest = (token: string): string => createHash('sha256').update(token).digest('base64url')
/** last-used times reach the disk at most this often per credential: a hot agent must not write on each call */
const TOUCH_EVERY_MS = 60_000
const NAME = /^[\p{L}\p{N} ._@-]{1,64}$/u

interface Entry {
  info: CredentialInfo
  principal: Principal
  touchedAt: number
}

/** checks a new credential's fields; CREDENTIALS_INVALID naming the field */
export function checkNewCredential(c: NewCredential, now: number, pastExpiryAllowed = false): void {
  const bad = (m: string) => new AppError('CREDENTIALS_INVALID', m)
  if (typeof c.name !== 'string' || !NAME.test(c.name)) throw bad('name: 1 to 64 letters, digits, spaces or ._@-')
  if (!Array.isArray(c.toolsets) || !c.toolsets.length || c.toolsets.some((t) => !(TOOLSETS as readonly string[]).includes(t))) throw bad(`toolsets: one or more of ${TOOLSETS.join(', ')}`)
  const s = c.chats as { mode?: unknown; jids?: unknown }
  if (!s || !['all', 'allow', 'deny'].includes(String(s.mode))) throw bad('chats.mode: all, allow or deny')
  if (s.mode !== 'all' && (!Array.isArray(s.jids) || s.jids.length > 1000 || s.jids.some((j) => typeof j !== 'string' || !/^[0-9A-Za-z.:_-]+@(s\.whatsapp\.net|g\.us|lid|broadcast|newsletter)$/.test(j)))) throw bad('chats.jids: up to 1000 chat JIDs')
  if (s.mode === 'allow' && !(s.jids as unknown[]).length) throw bad('chats.jids: an allow list needs at least one chat')
  if (c.expires_at != null && (!Number.isSafeInteger(c.expires_at) || (!pastExpiryAllowed && c.expires_at <= now))) throw bad('expires_at: a time in the future (ms since the epoch), or null for never')
  if (c.approval !== undefined && !(CREDENTIAL_APPROVALS as readonly string[]).includes(c.approval)) throw bad(`approval: one of ${CREDENTIAL_APPROVALS.join(', ')}`)
  if (c.token !== undefined && !TOKEN_SHAPE.test(c.token)) throw bad(`token: ${TOKEN_PREFIX} followed by 22 to 128 letters, digits, _ or -`)
}

export class CredentialStore {
  private readonly db: Database.Database
  private readonly byDigest = new Map<string, Entry>()
  private readonly byId = new Map<string, Entry>()

  /** `envCredentials`: MCP_CREDENTIALS, already parsed; kept in memory only */
  constructor(path: string, envCredentials: readonly NewCredential[] = [], private readonly now: () => number = Date.now) {
    privateDatabase(path)
    this.db = new Database(path)
    this.db.pragma('journal_mode = WAL')
    this.db.exec(`CREATE TABLE IF NOT EXISTS credentials (id TEXT PRIMARY KEY, digest TEXT NOT NULL UNIQUE, name TEXT NOT NULL, toolsets TEXT NOT NULL,
      chats TEXT NOT NULL, expires_at INTEGER, created_at INTEGER NOT NULL, last_used_at INTEGER, revoked_at INTEGER)`)
    // files from before approvals have no approval column: their credentials need none
    const cols = (this.db.prepare('PRAGMA table_info(credentials)').all() as Array<{ name: string }>).map((c) => c.name)
    if (!cols.includes('approval')) this.db.exec("ALTER TABLE credentials ADD COLUMN approval TEXT NOT NULL DEFAULT 'none'")
    const rows = this.db.prepare('SELECT * FROM credentials ORDER BY created_at').all() as Array<Record<string, unknown>>
    for (const r of rows) {
      const info: CredentialInfo = {
        id: String(r.id),
        name: String(r.name),
        toolsets: JSON.parse(String(r.toolsets)) as Toolset[],
        chats: JSON.parse(String(r.chats)) as ChatScope,
        expires_at: (r.expires_at as number | null) ?? null,
        created_at: Number(r.created_at),
        last_used_at: (r.last_used_at as number | null) ?? null,
        revoked_at: (r.revoked_at as number | null) ?? null,
        source: 'admin',
        approval: (CREDENTIAL_APPROVALS as readonly string[]).includes(String(r.approval)) ? (r.approval as CredentialApproval) : 'none'
      }
      this.remember(String(r.digest), info)
    }
    for (const [i, c] of envCredentials.entries()) {
      // an expired one from the environment still starts: its token is then refused as expired, not unknown
      try {
        checkNewCredential(c, this.now(), true)
      } catch (err) {
        throw new AppError('CREDENTIALS_INVALID', `MCP_CREDENTIALS[${i}]: ${(err as Error).message}`)
      }
      const d = digest(c.token!)
      if (this.byDigest.has(d)) throw new AppError('CREDENTIALS_INVALID', `MCP_CREDENTIALS: the token of "${c.name}" is given twice`)
      this.remember(d, { id: `env-${d.slice(0, 10)}`, name: c.name, toolsets: [...c.toolsets], chats: c.chats, expires_at: c.expires_at ?? null, created_at: this.now(), last_used_at: null, revoked_at: null, source: 'env', approval: c.approval ?? 'none' })
    }
  }

  /** whether any credential could be presented (the /mcp route then asks every caller for a token) */
  get size(): number {
    return this.byId.size
  }

  private remember(d: string, info: CredentialInfo): Entry {
    const principal: Principal = {
      id: `cred:${info.id}`,
      kind: 'credential',
      name: info.name,
      toolsets: new Set(info.toolsets),
      chats: info.chats,
      ...(info.approval !== 'none' ? { approval: info.approval } : {}),
      ...(info.expires_at !== null ? { expiresAt: info.expires_at } : {})
    }
    const e = { info, principal, touchedAt: info.last_used_at ?? 0 }
    this.byDigest.set(d, e)
    this.byId.set(info.id, e)
    return e
  }

  /**
   * The token's principal or why it is refused; undefined for a token that is not a credential's shape.
   * `sha256`: the token's digest when the caller has it already (one hash per request, not two).
   */
  check(token: string, now: number, sha256?: Buffer): CredentialCheck | undefined {
    if (!token.startsWith(TOKEN_PREFIX)) return undefined
    if (!TOKEN_SHAPE.test(token)) return { refused: 'CREDENTIAL_INVALID' }
    const e = this.byDigest.get(sha256 ? sha256.toString('base64url') : digest(token))
    if (!e) return { refused: 'CREDENTIAL_INVALID' }
    if (e.info.revoked_at !== null) return { refused: 'CREDENTIAL_REVOKED' }
    if (e.info.expires_at !== null && e.info.expires_at <= now) return { refused: 'CREDENTIAL_EXPIRED' }
    if (now - e.touchedAt >= TOUCH_EVERY_MS) this.touch(e, now)
    return { ok: e.principal }
  }

  private touch(e: Entry, now: number): void {
    e.touchedAt = now
    e.info.last_used_at = now
    if (e.info.source === 'admin') this.db.prepare('UPDATE credentials SET last_used_at = ? WHERE id = ?').run(now, e.info.id)
  }

  /** a new credential and its token, which is shown this once and never stored */
  create(c: NewCredential): { credential: CredentialInfo; token: string } {
    const now = this.now()
    checkNewCredential({ ...c, token: undefined }, now)
    const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`
    const info: CredentialInfo = { id: randomUUID(), name: c.name, toolsets: [...new Set(c.toolsets)], chats: c.chats.mode === 'all' ? { mode: 'all' } : { mode: c.chats.mode, jids: [...new Set(c.chats.jids)] }, expires_at: c.expires_at ?? null, created_at: now, last_used_at: null, revoked_at: null, source: 'admin', approval: c.approval ?? 'none' }
    const d = digest(token)
    this.db.prepare('INSERT INTO credentials (id, digest, name, toolsets, chats, expires_at, created_at, approval) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(info.id, d, info.name, JSON.stringify(info.toolsets), JSON.stringify(info.chats), info.expires_at, now, info.approval)
    this.remember(d, info)
    return { credential: { ...info }, token }
  }

  /** every credential, newest first, without digests */
  list(): CredentialInfo[] {
    return [...this.byId.values()].map((e) => ({ ...e.info })).sort((a, b) => b.created_at - a.created_at)
  }

  /** revokes at once: the next request with the token is refused, sessions it opened included */
  revoke(id: string): CredentialInfo {
    const e = this.byId.get(id)
    if (!e) throw new AppError('CREDENTIAL_NOT_FOUND', `No credential ${id}.`)
    if (e.info.source === 'env') throw new AppError('CREDENTIALS_INVALID', 'This credential comes from MCP_CREDENTIALS; remove it there and restart.')
    if (e.info.revoked_at === null) {
      e.info.revoked_at = this.now()
      this.db.prepare('UPDATE credentials SET revoked_at = ? WHERE id = ?').run(e.info.revoked_at, id)
    }
    return { ...e.info }
  }

  close(): void {
    this.db.close()
  }
}

/**
 * MCP_CREDENTIALS as credentials: a JSON array of {name, token, toolsets, chats, expires_at}, where chats
 * is "all", {"allow": [...]} or {"deny": [...]} and expires_at an ISO date or ms. The error never repeats
 * the value (it holds tokens).
 */
export function parseEnvCredentials(raw: string, canonical: (jid: string) => string = (j) => j): NewCredential[] {
  if (!raw) return []
  let parsed: unknown
  try {
    parsed = JSON.parse(raw)
  } catch {
    throw new AppError('CREDENTIALS_INVALID', 'MCP_CREDENTIALS is not valid JSON (expected an array of credentials)')
  }
  if (!Array.isArray(parsed)) throw new AppError('CREDENTIALS_INVALID', 'MCP_CREDENTIALS must be a JSON array')
  return parsed.map((x: Record<string, unknown>, i) => {
    if (typeof x !== 'object' || x === null) throw new AppError('CREDENTIALS_INVALID', `MCP_CREDENTIALS[${i}] is not an object`)
    const chats = x.chats === undefined || x.chats === 'all' ? { mode: 'all' as const } : scopeOf(x.chats, canonical, `MCP_CREDENTIALS[${i}].chats`)
    const exp = x.expires_at
    const expires_at = exp == null ? null : typeof exp === 'number' ? exp : Date.parse(String(exp))
    if (expires_at !== null && !Number.isFinite(expires_at)) throw new AppError('CREDENTIALS_INVALID', `MCP_CREDENTIALS[${i}].expires_at is not a date`)
    if (typeof x.token !== 'string') throw new AppError('CREDENTIALS_INVALID', `MCP_CREDENTIALS[${i}].token is missing`)
    return { name: String(x.name ?? ''), token: x.token, toolsets: (Array.isArray(x.toolsets) ? x.toolsets : []) as Toolset[], chats, expires_at, ...(x.approval !== undefined ? { approval: x.approval as CredentialApproval } : {}) }
  })
}

/** {allow: [...]} or {deny: [...]} (JIDs or phone numbers) as a ChatScope */
export function scopeOf(v: unknown, canonical: (jid: string) => string, where = 'chats'): ChatScope {
  const o = v as { allow?: unknown; deny?: unknown; mode?: unknown; jids?: unknown }
  const mode = o?.mode ?? (o?.allow !== undefined ? 'allow' : o?.deny !== undefined ? 'deny' : undefined)
  if (mode === 'all') return { mode: 'all' }
  const list = o?.jids ?? o?.allow ?? o?.deny
  if ((mode !== 'allow' && mode !== 'deny') || !Array.isArray(list) || list.some((j) => typeof j !== 'string')) throw new AppError('CREDENTIALS_INVALID', `${where}: "all", {"allow": [chats]} or {"deny": [chats]}`)
  return { mode, jids: list.map((j: string) => canonical(j.trim())) }
}

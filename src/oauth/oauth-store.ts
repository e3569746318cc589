// The OAuth state that must survive a restart, in its own small SQLite file (DATA_DIR/oauth.sqlite,
// 0600): registered clients, grants (what the person consented to), and the refresh and access tokens
// of each grant. Tokens are stored as SHA-256 digests only, so the file cannot be replayed; an access
// token is verified by one indexed read, synchronously, because /mcp decides from the headers alone.
// better-sqlite3 on the main thread: writes happen at consent, exchange, refresh and revocation only.
import Database from 'better-sqlite3'
import { createHash, randomBytes } from 'node:crypto'
import { privateDatabase } from '../store/private-files.js'
import type { ChatScope, Toolset } from '../access/principal.js'
import type { OAuthClient } from './client-metadata.js'

/** token digests as stored: base64url SHA-256 */
export const digest = (token: string): string => createHash('sha256').update(token).digest('base64url')
/** a new random secret with a prefix that says what it is (`wao_` access, `wor_` refresh, ...) */
export const newSecret = (prefix: string): string => `${prefix}${randomBytes(32).toString('base64url')}`

export interface Grant {
  id: string
  clientId: string
  clientName: string
  toolsets: Toolset[]
  chats: ChatScope
  /** the audience: the canonical /mcp URL the tokens are for */
  resource: string
  revoked: boolean
}

export interface IssuedTokens {
  accessToken: string
  refreshToken: string
  accessExpiresAt: number
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS clients (client_id TEXT PRIMARY KEY, name TEXT NOT NULL, redirect_uris TEXT NOT NULL, auth_method TEXT NOT NULL, client_uri TEXT, secret_hash TEXT, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS grants (id TEXT PRIMARY KEY, client_id TEXT NOT NULL, client_name TEXT NOT NULL, toolsets TEXT NOT NULL, chats TEXT NOT NULL, resource TEXT NOT NULL, created_at INTEGER NOT NULL, revoked_at INTEGER);
CREATE TABLE IF NOT EXISTS refresh_tokens (hash TEXT PRIMARY KEY, grant_id TEXT NOT NULL, expires_at INTEGER NOT NULL, used_at INTEGER);
CREATE TABLE IF NOT EXISTS access_tokens (hash TEXT PRIMARY KEY, grant_id TEXT NOT NULL, expires_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS refresh_by_grant ON refresh_tokens (grant_id);
CREATE INDEX IF NOT EXISTS access_by_grant ON access_tokens (grant_id);
`

type GrantRow = { id: string; client_id: string; client_name: string; toolsets: string; chats: string; resource: string; revoked_at: number | null }
const toGrant = (r: GrantRow): Grant => ({ id: r.id, clientId: r.client_id, clientName: r.client_name, toolsets: JSON.parse(r.toolsets) as Toolset[], chats: JSON.parse(r.chats) as ChatScope, resource: r.resource, revoked: r.revoked_at !== null })

export class OAuthStore {
  private readonly db: Database.Database
  /** the hot path's statement, prepared once: preparing costs more than the indexed read */
  private readonly byAccess: Database.Statement

  constructor(path: string, private readonly ttl: { accessMs: number; refreshMs: number }) {
    privateDatabase(path)
    this.db = new Database(path)
    this.db.pragma('journal_mode = WAL')
    this.db.exec(SCHEMA)
    this.byAccess = this.db.prepare('SELECT g.*, a.expires_at AS token_expires FROM access_tokens a JOIN grants g ON g.id = a.grant_id WHERE a.hash = ? AND g.revoked_at IS NULL')
  }

  close(): void {
    this.db.close()
  }

  saveClient(c: OAuthClient, now: number): void {
    this.db.prepare('INSERT INTO clients (client_id, name, redirect_uris, auth_method, client_uri, secret_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(c.clientId, c.name, JSON.stringify(c.redirectUris), c.authMethod, c.clientUri ?? null, c.secretHash ?? null, now)
  }

  client(clientId: string): OAuthClient | undefined {
    const r = this.db.prepare('SELECT * FROM clients WHERE client_id = ?').get(clientId) as { client_id: string; name: string; redirect_uris: string; auth_method: OAuthClient['authMethod']; client_uri: string | null; secret_hash: string | null } | undefined
    if (!r) return undefined
    return { clientId: r.client_id, kind: 'registered', name: r.name, redirectUris: JSON.parse(r.redirect_uris) as string[], authMethod: r.auth_method, ...(r.client_uri ? { clientUri: r.client_uri } : {}), ...(r.secret_hash ? { secretHash: r.secret_hash } : {}) }
  }

  /** registered clients, and how many registered since `since` */
  clientCounts(since: number): { total: number; recent: number } {
    return this.db.prepare('SELECT count(*) AS total, count(CASE WHEN created_at >= ? THEN 1 END) AS recent FROM clients').get(since) as { total: number; recent: number }
  }

  /** a consented grant and its first tokens, in one transaction */
  createGrant(g: Omit<Grant, 'id' | 'revoked'>, now: number): { grant: Grant; tokens: IssuedTokens } {
    const id = randomBytes(12).toString('base64url')
    return this.db.transaction(() => {
      this.db.prepare('INSERT INTO grants (id, client_id, client_name, toolsets, chats, resource, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(id, g.clientId, g.clientName, JSON.stringify(g.toolsets), JSON.stringify(g.chats), g.resource, now)
      return { grant: { ...g, id, revoked: false }, tokens: this.issue(id, now) }
    })()
  }

  /** the live grant an access token belongs to, with the token's expiry; undefined when unknown or revoked */
  accessGrant(token: string): { grant: Grant; expiresAt: number } | undefined {
    const r = this.byAccess.get(digest(token)) as (GrantRow & { token_expires: number }) | undefined
    return r ? { grant: toGrant(r), expiresAt: r.token_expires } : undefined
  }

  /**
   * Trades a refresh token for a new pair (rotation). `reused` when the token was used already: the
   * grant is then revoked, since only a thief or a confused copy replays a rotated refresh token.
   */
  refresh(token: string, now: number): { grant: Grant; tokens: IssuedTokens } | { failure: 'unknown' | 'expired' | 'revoked' | 'reused'; grant?: Grant } {
    return this.db.transaction(() => {
      const r = this.db.prepare('SELECT g.*, t.expires_at AS token_expires, t.used_at FROM refresh_tokens t JOIN grants g ON g.id = t.grant_id WHERE t.hash = ?').get(digest(token)) as (GrantRow & { token_expires: number; used_at: number | null }) | undefined
      if (!r) return { failure: 'unknown' as const }
      const grant = toGrant(r)
      if (grant.revoked) return { failure: 'revoked' as const, grant }
      if (r.used_at !== null) {
        this.revokeGrant(grant.id, now)
        return { failure: 'reused' as const, grant }
      }
      if (r.token_expires <= now) return { failure: 'expired' as const, grant }
      this.db.prepare('UPDATE refresh_tokens SET used_at = ? WHERE hash = ?').run(now, digest(token))
      return { grant, tokens: this.issue(grant.id, now) }
    })()
  }

  /**
   * RFC 7009: a refresh token revokes its whole grant, an access token itself. Returns the grant the
   * token belonged to (undefined for an unknown token or another client's, neither an error to the client).
   */
  revokeToken(token: string, clientId: string, now: number): Grant | undefined {
    const h = digest(token)
    const viaRefresh = this.db.prepare('SELECT g.* FROM refresh_tokens t JOIN grants g ON g.id = t.grant_id WHERE t.hash = ?').get(h) as GrantRow | undefined
    // another client's token is left alone, and the caller learns nothing about it
    if (viaRefresh && viaRefresh.client_id !== clientId) return undefined
    if (viaRefresh) {
      this.revokeGrant(viaRefresh.id, now)
      return toGrant(viaRefresh)
    }
    const viaAccess = this.db.prepare('SELECT g.* FROM access_tokens a JOIN grants g ON g.id = a.grant_id WHERE a.hash = ?').get(h) as GrantRow | undefined
    if (!viaAccess || viaAccess.client_id !== clientId) return undefined
    this.db.prepare('DELETE FROM access_tokens WHERE hash = ?').run(h)
    return toGrant(viaAccess)
  }

  /** every grant, newest first, with when it was made and whether it is revoked (the admin's list) */
  grants(limit = 200): Array<Grant & { createdAt: number }> {
    const rows = this.db.prepare('SELECT * FROM grants ORDER BY created_at DESC, id LIMIT ?').all(limit) as Array<GrantRow & { created_at: number }>
    return rows.map((r) => ({ ...toGrant(r), createdAt: r.created_at }))
  }

  /** true when the grant existed and was live */
  revokeGrantById(id: string, now: number): boolean {
    const live = this.db.prepare('SELECT 1 FROM grants WHERE id = ? AND revoked_at IS NULL').get(id)
    if (live) this.revokeGrant(id, now)
    return !!live
  }

  /** the grant is dead: its tokens are deleted, the row stays as a record of what was consented to */
  revokeGrant(id: string, now: number): void {
    this.db.transaction(() => {
      this.db.prepare('UPDATE grants SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now, id)
      this.db.prepare('DELETE FROM access_tokens WHERE grant_id = ?').run(id)
      // refresh digests stay (marked used), so a replay is recognised as one and not as an unknown token
      this.db.prepare('UPDATE refresh_tokens SET used_at = coalesce(used_at, ?) WHERE grant_id = ?').run(now, id)
    })()
  }

  private issue(grantId: string, now: number): IssuedTokens {
    const accessToken = newSecret('wao_')
    const refreshToken = newSecret('wor_')
    const accessExpiresAt = now + this.ttl.accessMs
    this.db.prepare('INSERT INTO access_tokens (hash, grant_id, expires_at) VALUES (?, ?, ?)').run(digest(accessToken), grantId, accessExpiresAt)
    this.db.prepare('INSERT INTO refresh_tokens (hash, grant_id, expires_at) VALUES (?, ?, ?)').run(digest(refreshToken), grantId, now + this.ttl.refreshMs)
    // what has expired is of no use to anyone: swept as new tokens are made, never on the verify path
    this.db.prepare('DELETE FROM access_tokens WHERE expires_at <= ?').run(now)
    this.db.prepare('DELETE FROM refresh_tokens WHERE expires_at <= ?').run(now - this.ttl.refreshMs)
    return { accessToken, refreshToken, accessExpiresAt }
  }
}

// The OAuth access tokens /mcp accepts: one indexed read of the token's digest, synchronous (principal.ts
// says why). A token is accepted while it is unexpired, its grant is not revoked, and its audience is this
// server's /mcp (RFC 8707): a token minted for another resource, or before PUBLIC_BASE_URL changed, is not.
import type { BearerVerifier, Principal } from '../access/principal.js'
import type { OAuthStore } from './oauth-store.js'

/** the shape of an access token this server issues; anything else is not looked up at all */
const ACCESS_TOKEN = /^wao_[A-Za-z0-9_-]{43}$/

export class OAuthVerifier implements BearerVerifier {
  constructor(private readonly store: OAuthStore, private readonly resource: string) {}

  /** the grant's principal, or undefined for a malformed, unknown, expired, revoked or foreign-audience token */
  verify(token: string, now: number): Principal | undefined {
    if (!ACCESS_TOKEN.test(token)) return undefined
    const hit = this.store.accessGrant(token)
    if (!hit || hit.expiresAt <= now || hit.grant.resource !== this.resource) return undefined
    const g = hit.grant
    return { id: `oauth:${g.id}`, kind: 'oauth', name: g.clientName, toolsets: new Set(g.toolsets), chats: g.chats, expiresAt: hit.expiresAt, clientId: g.clientId }
  }
}

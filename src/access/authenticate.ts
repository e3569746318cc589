// The bearer-token chain in front of /mcp: the static MCP_AUTH_TOKEN, then the named credentials, then
// any further verifier (OAuth's). Synchronous, from the Authorization header alone, so the route refuses
// before it reads a body byte. The refusal is RFC 6750's: 401 with a WWW-Authenticate challenge that says
// `invalid_token` when a token was given; the token itself is never logged or echoed.
import { createHash, timingSafeEqual } from 'node:crypto'
import type { ErrorCode } from '../errors/codes.js'
import { OPEN_PRINCIPAL, STATIC_PRINCIPAL, type BearerVerifier, type Principal } from './principal.js'
import type { CredentialStore } from './credentials.js'

export type AuthOutcome = { principal: Principal } | { refused: AuthRefusal }

export interface AuthRefusal {
  status: 401 | 403
  code: ErrorCode
  message: string
  /** the WWW-Authenticate header value */
  challenge: string
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest()

const MESSAGES: Record<string, string> = {
  UNAUTHORIZED: 'A valid bearer token is required.',
  OAUTH_TOKEN_INVALID: 'The bearer token is invalid, expired or revoked.',
  CREDENTIAL_INVALID: 'The bearer token is not a valid credential.',
  CREDENTIAL_EXPIRED: 'The credential has expired.',
  CREDENTIAL_REVOKED: 'The credential was revoked.'
}

export interface AuthenticatorOptions {
  /** MCP_AUTH_TOKEN: each an all-powerful token */
  staticTokens: readonly string[]
  credentials?: CredentialStore
  /** asked in order after the credentials; the array is kept, so a verifier pushed onto it later counts too */
  verifiers?: BearerVerifier[]
  realm?: string
  now?: () => number
  /** with OAuth on: the challenge that points to the protected resource metadata (`refused`: why a token was refused) */
  oauthChallenge?: (refused?: string) => string
}

export class Authenticator {
  private readonly statics: Buffer[]
  private readonly verifiers: BearerVerifier[]
  private readonly realm: string
  private readonly now: () => number

  constructor(private readonly o: AuthenticatorOptions) {
    this.statics = o.staticTokens.filter(Boolean).map(digest)
    this.verifiers = o.verifiers ?? []
    this.realm = o.realm ?? 'mcp'
    this.now = o.now ?? Date.now
  }

  /** whether callers need a token at all: without any source of tokens the server is open (loopback only, see the Host policy) */
  get enabled(): boolean {
    return this.statics.length > 0 || (this.o.credentials?.size ?? 0) > 0 || this.verifiers.length > 0
  }

  private refuse(code: keyof typeof MESSAGES & ErrorCode, given: boolean): { refused: AuthRefusal } {
    const message = MESSAGES[code]!
    const oauth = this.o.oauthChallenge
    if (oauth) return { refused: { status: 401, code, message, challenge: given ? oauth(message) : oauth() } }
    const challenge = given ? `Bearer realm="${this.realm}", error="invalid_token", error_description="${message}"` : `Bearer realm="${this.realm}"`
    return { refused: { status: 401, code, message, challenge } }
  }

  authenticate(authorization: string | undefined): AuthOutcome {
    if (!this.enabled) return { principal: OPEN_PRINCIPAL }
    const m = /^Bearer\s+(.+)$/i.exec(authorization ?? '')
    const token = m?.[1]?.trim()
    if (!token) return this.refuse('UNAUTHORIZED', false)
    const d = digest(token)
    if (this.statics.length) {
      let ok = false
      for (const t of this.statics) ok = timingSafeEqual(d, t) || ok
      if (ok) return { principal: STATIC_PRINCIPAL }
    }
    const now = this.now()
    const cred = this.o.credentials?.check(token, now, d)
    if (cred) return 'ok' in cred ? { principal: cred.ok } : this.refuse(cred.refused, true)
    for (const v of this.verifiers) {
      const p = v.verify(token, now)
      if (!p) continue
      if (p.expiresAt !== undefined && p.expiresAt <= now) return this.refuse('CREDENTIAL_EXPIRED', true)
      return { principal: p }
    }
    // with OAuth on, a token nobody knows is most likely an access token that expired or was revoked
    return this.refuse(this.o.oauthChallenge ? 'OAUTH_TOKEN_INVALID' : 'UNAUTHORIZED', true)
  }

  /** the 403 for a session used with another principal's token */
  sessionRefusal(): AuthRefusal {
    return { status: 403, code: 'MCP_SESSION_FORBIDDEN', message: 'This MCP session belongs to another credential.', challenge: `Bearer realm="${this.realm}", error="insufficient_scope"` }
  }
}

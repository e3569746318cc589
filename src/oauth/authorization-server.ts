// The authorization server's flows, transport-free: the authorization request and its consent, the code
// (single use, 60 s, PKCE S256, bound to client, redirect URI and resource), the token endpoint's two
// grants with refresh rotation, and revocation. Routes (http/routes/oauth.ts) turn HTTP into these calls.
import { randomBytes } from 'node:crypto'
import type { ChatScope, Toolset } from '../access/principal.js'
import { AppError } from '../errors/app-error.js'
import { oauthError, oauthErrorValue } from './oauth-error.js'
import { isCodeChallenge, verifierMatches } from './pkce.js'
import { redirectMatches } from './redirect-uri.js'
import { parseScope, scopeString } from './scope.js'
import { digest, type OAuthStore, type IssuedTokens, type Grant } from './oauth-store.js'
import type { OAuthClients } from './clients.js'
import type { OAuthClient } from './client-metadata.js'
import type { OAuthUrls } from './metadata.js'

/** how long the person has to decide on the consent page */
export const REQUEST_TTL_MS = 10 * 60_000
/** how long an authorization code may wait for its exchange (OAuth 2.1 recommends short) */
export const CODE_TTL_MS = 60_000
/** pending requests and codes held at once; past it the oldest go (bounded memory against loops) */
const MAX_PENDING = 1_000

/** an authorization request waiting for the person's decision */
export interface PendingRequest {
  id: string
  client: OAuthClient
  redirectUri: string
  state: string | undefined
  codeChallenge: string
  requested: Toolset[] | undefined
  createdAt: number
}

interface IssuedCode {
  clientId: string
  clientName: string
  redirectUri: string
  codeChallenge: string
  toolsets: Toolset[]
  chats: ChatScope
  expiresAt: number
}

/** what the token endpoint answers on success (RFC 6749 §5.1) */
export interface TokenResponse {
  access_token: string
  token_type: 'Bearer'
  expires_in: number
  refresh_token: string
  scope: string
}

const AUTHORIZE_PARAMS = ['response_type', 'client_id', 'redirect_uri', 'state', 'code_challenge', 'code_challenge_method', 'scope', 'resource']

const one = (q: URLSearchParams, name: string): string | undefined => {
  const all = q.getAll(name)
  if (all.length > 1) throw oauthError('OAUTH_INVALID_REQUEST', `The ${name} parameter is repeated.`)
  return all[0]
}

/** a redirect URI with the response parameters added to its query */
export function withParams(uri: string, params: Record<string, string | undefined>): string {
  const u = new URL(uri)
  for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, v)
  return u.toString()
}

export class AuthorizationServer {
  private readonly pending = new Map<string, PendingRequest>()
  /** code digest -> what it grants */
  private readonly codes = new Map<string, IssuedCode>()

  constructor(private readonly urls: OAuthUrls, private readonly clients: OAuthClients, private readonly store: OAuthStore, private readonly accessTtlMs: number) {}

  /**
   * GET /oauth/authorize. Throws (no redirect: the client or its redirect URI cannot be trusted)
   * OAUTH_INVALID_CLIENT, OAUTH_INVALID_REQUEST, OAUTH_INVALID_REDIRECT_URI; every later fault is a
   * redirect carrying the error. On success the person is sent to the consent page with the request id.
   */
  async authorize(q: URLSearchParams, now: number): Promise<{ consent: PendingRequest } | { redirect: string }> {
    const clientId = one(q, 'client_id')
    if (!clientId) throw oauthError('OAUTH_INVALID_REQUEST', 'client_id is required.')
    const client = await this.clients.resolve(clientId, now)
    const given = one(q, 'redirect_uri')
    // OAuth 2.1 lets a client with exactly one registered redirect URI leave it out
    const redirectUri = given ?? (client.redirectUris.length === 1 ? client.redirectUris[0]! : undefined)
    if (!redirectUri) throw oauthError('OAUTH_INVALID_REQUEST', 'redirect_uri is required for a client with several.')
    if (!redirectMatches(client.redirectUris, redirectUri)) throw oauthError('OAUTH_INVALID_REDIRECT_URI', 'The redirect_uri is not one this client registered.')
    // from here on the client is known and the redirect URI is its own: errors go back to it
    let state: string | undefined
    try {
      for (const p of AUTHORIZE_PARAMS) one(q, p)
      state = one(q, 'state')
      if (one(q, 'response_type') !== 'code') throw oauthError('OAUTH_UNSUPPORTED_RESPONSE_TYPE', 'Only response_type=code is supported.')
      const challenge = one(q, 'code_challenge')
      if (one(q, 'code_challenge_method') !== 'S256' || !challenge || !isCodeChallenge(challenge)) throw oauthError('OAUTH_INVALID_REQUEST', 'PKCE is required: code_challenge (43 characters) with code_challenge_method=S256.')
      const resource = one(q, 'resource')
      if (resource !== undefined && resource !== this.urls.resource) throw oauthError('OAUTH_INVALID_TARGET', `This server issues tokens for ${this.urls.resource} only.`)
      const requested = parseScope(one(q, 'scope'))
      const id = randomBytes(24).toString('base64url')
      this.sweep(now)
      const req: PendingRequest = { id, client, redirectUri, state, codeChallenge: challenge, requested, createdAt: now }
      this.pending.set(id, req)
      return { consent: req }
    } catch (err) {
      if (!(err instanceof AppError)) throw err
      return { redirect: this.errorRedirect(redirectUri, err, state) }
    }
  }

  /** the request the consent page shows; throws OAUTH_REQUEST_NOT_FOUND */
  request(id: string, now: number): PendingRequest {
    const r = this.pending.get(id)
    if (!r || r.createdAt + REQUEST_TTL_MS <= now) throw new AppError('OAUTH_REQUEST_NOT_FOUND', 'This authorization request is unknown, decided already or expired; start again from the client.')
    return r
  }

  /**
   * The person's decision; returns where to send the browser: the client's redirect URI with a code, or
   * with error=access_denied. The request is used up either way. Throws OAUTH_REQUEST_NOT_FOUND.
   */
  decide(id: string, decision: { approve: false } | { approve: true; toolsets: Toolset[]; chats: ChatScope }, now: number): string {
    const r = this.request(id, now)
    this.pending.delete(id)
    if (!decision.approve) return this.errorRedirect(r.redirectUri, oauthError('OAUTH_ACCESS_DENIED', 'The request was denied.'), r.state)
    const code = randomBytes(32).toString('base64url')
    this.sweep(now)
    this.codes.set(digest(code), { clientId: r.client.clientId, clientName: r.client.name, redirectUri: r.redirectUri, codeChallenge: r.codeChallenge, toolsets: decision.toolsets, chats: decision.chats, expiresAt: now + CODE_TTL_MS })
    return withParams(r.redirectUri, { code, state: r.state, iss: this.urls.issuer })
  }

  /** POST /oauth/token. Throws OAUTH_INVALID_REQUEST, _CLIENT, _GRANT, _SCOPE, _TARGET, OAUTH_UNSUPPORTED_GRANT_TYPE. */
  async token(form: URLSearchParams, basic: { id: string; secret: string } | undefined, now: number): Promise<TokenResponse> {
    const client = await this.authenticate(form, basic, now)
    const grantType = one(form, 'grant_type')
    const resource = one(form, 'resource')
    if (resource !== undefined && resource !== this.urls.resource) throw oauthError('OAUTH_INVALID_TARGET', `This server issues tokens for ${this.urls.resource} only.`)
    if (grantType === 'authorization_code') {
      const code = one(form, 'code')
      const verifier = one(form, 'code_verifier')
      const redirectUri = one(form, 'redirect_uri')
      if (!code || !verifier) throw oauthError('OAUTH_INVALID_REQUEST', 'code and code_verifier are required.')
      const key = digest(code)
      const c = this.codes.get(key)
      // a code is used once, whatever the outcome: a failed guess at the verifier burns it
      this.codes.delete(key)
      if (!c || c.expiresAt <= now) throw oauthError('OAUTH_INVALID_GRANT', 'The authorization code is unknown, used already or expired.')
      if (c.clientId !== client.clientId) throw oauthError('OAUTH_INVALID_GRANT', 'The authorization code was issued to another client.')
      if (redirectUri !== undefined && redirectUri !== c.redirectUri) throw oauthError('OAUTH_INVALID_GRANT', 'The redirect_uri differs from the one of the authorization request.')
      if (!verifierMatches(verifier, c.codeChallenge)) throw oauthError('OAUTH_INVALID_GRANT', 'The PKCE code_verifier does not match the code_challenge.')
      const { grant, tokens } = this.store.createGrant({ clientId: c.clientId, clientName: c.clientName, toolsets: c.toolsets, chats: c.chats, resource: this.urls.resource }, now)
      return this.response(grant, tokens, now)
    }
    if (grantType === 'refresh_token') {
      const refresh = one(form, 'refresh_token')
      if (!refresh) throw oauthError('OAUTH_INVALID_REQUEST', 'refresh_token is required.')
      const r = this.store.refresh(refresh, now)
      if ('failure' in r) throw oauthError('OAUTH_INVALID_GRANT', r.failure === 'reused' ? 'The refresh token was used already; the grant is revoked, authorize again.' : 'The refresh token is unknown, expired or revoked.')
      if (r.grant.clientId !== client.clientId) {
        this.store.revokeGrant(r.grant.id, now)
        throw oauthError('OAUTH_INVALID_GRANT', 'The refresh token was issued to another client.')
      }
      const narrowed = parseScope(one(form, 'scope'))
      if (narrowed?.some((t) => !r.grant.toolsets.includes(t))) throw oauthError('OAUTH_INVALID_SCOPE', 'A refresh cannot widen the scope that was granted.')
      return this.response(r.grant, r.tokens, now)
    }
    throw oauthError(grantType ? 'OAUTH_UNSUPPORTED_GRANT_TYPE' : 'OAUTH_INVALID_REQUEST', grantType ? 'Supported grant types: authorization_code, refresh_token.' : 'grant_type is required.')
  }

  /** POST /oauth/revoke (RFC 7009): an unknown or foreign token is no error. Throws OAUTH_INVALID_REQUEST, _CLIENT. */
  async revoke(form: URLSearchParams, basic: { id: string; secret: string } | undefined, now: number): Promise<void> {
    const client = await this.authenticate(form, basic, now)
    const token = one(form, 'token')
    if (!token) throw oauthError('OAUTH_INVALID_REQUEST', 'token is required.')
    one(form, 'token_type_hint')
    this.store.revokeToken(token, client.clientId, now)
  }

  private async authenticate(form: URLSearchParams, basic: { id: string; secret: string } | undefined, now: number): Promise<OAuthClient> {
    const formId = one(form, 'client_id')
    const formSecret = one(form, 'client_secret')
    if (basic && (formSecret !== undefined || (formId !== undefined && formId !== basic.id))) throw oauthError('OAUTH_INVALID_REQUEST', 'Use one client authentication method, not two.')
    const id = basic?.id ?? formId
    if (!id) throw oauthError('OAUTH_INVALID_CLIENT', 'The client is not identified: send client_id or HTTP Basic authentication.')
    const c = await this.clients.authenticate(id, basic?.secret ?? formSecret, now)
    if (c.authMethod === 'client_secret_basic' && !basic) throw oauthError('OAUTH_INVALID_CLIENT', 'This client authenticates with HTTP Basic.')
    if (c.authMethod === 'client_secret_post' && basic) throw oauthError('OAUTH_INVALID_CLIENT', 'This client authenticates with client_secret in the body.')
    return c
  }

  private response(grant: Grant, t: IssuedTokens, now: number): TokenResponse {
    return { access_token: t.accessToken, token_type: 'Bearer', expires_in: Math.round((t.accessExpiresAt - now) / 1000), refresh_token: t.refreshToken, scope: scopeString(grant.toolsets) }
  }

  private errorRedirect(uri: string, err: AppError, state: string | undefined): string {
    return withParams(uri, { error: oauthErrorValue(err), error_description: err.message, state, iss: this.urls.issuer })
  }

  private sweep(now: number): void {
    for (const [k, r] of this.pending) if (r.createdAt + REQUEST_TTL_MS <= now) this.pending.delete(k)
    for (const [k, c] of this.codes) if (c.expiresAt <= now) this.codes.delete(k)
    while (this.pending.size >= MAX_PENDING) this.pending.delete(this.pending.keys().next().value!)
    while (this.codes.size >= MAX_PENDING) this.codes.delete(this.codes.keys().next().value!)
  }
}

// What a client says about itself, in a dynamic registration (RFC 7591 §2) or a client ID metadata
// document (the 2026 MCP spec's recommended way): validated into one OAuthClient. Pure.
import { oauthError } from './oauth-error.js'
import { redirectUriProblem } from './redirect-uri.js'

export type TokenAuthMethod = 'none' | 'client_secret_basic' | 'client_secret_post'
const AUTH_METHODS: readonly TokenAuthMethod[] = ['none', 'client_secret_basic', 'client_secret_post']
const GRANT_TYPES = ['authorization_code', 'refresh_token']
/** redirect URIs one client may list */
export const MAX_REDIRECT_URIS = 10

export interface OAuthClient {
  clientId: string
  /** `registered` through /oauth/register, `document` when client_id is the URL of its metadata document */
  kind: 'registered' | 'document'
  /** what the consent page shows */
  name: string
  redirectUris: string[]
  authMethod: TokenAuthMethod
  clientUri?: string
  /** SHA-256 (base64url) of the client secret, for confidential registered clients */
  secretHash?: string
}

const str = (v: unknown, field: string, max: number): string | undefined => {
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'string' || v.length > max) throw oauthError('OAUTH_INVALID_CLIENT_METADATA', `${field} must be a string of at most ${max} characters.`)
  return v
}

/** control characters and bidi overrides would let a client name impersonate another on the consent page */
const displayable = (s: string): string => s.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '').trim()

/**
 * The fields that matter of a registration body or metadata document. Throws OAUTH_INVALID_REDIRECT_URI
 * or OAUTH_INVALID_CLIENT_METADATA. A document client is public: it cannot keep a secret in a URL.
 */
export function parseClientMetadata(body: Record<string, unknown>, kind: OAuthClient['kind'], clientId: string): Omit<OAuthClient, 'secretHash'> {
  const uris = body.redirect_uris
  if (!Array.isArray(uris) || uris.length === 0 || uris.length > MAX_REDIRECT_URIS || !uris.every((u) => typeof u === 'string')) {
    throw oauthError('OAUTH_INVALID_REDIRECT_URI', `redirect_uris must list 1 to ${MAX_REDIRECT_URIS} URIs.`)
  }
  for (const u of uris as string[]) {
    const problem = redirectUriProblem(u)
    if (problem) throw oauthError('OAUTH_INVALID_REDIRECT_URI', `Bad redirect URI: ${problem}.`)
  }
  const method = str(body.token_endpoint_auth_method, 'token_endpoint_auth_method', 64) ?? (kind === 'document' ? 'none' : 'client_secret_basic')
  if (!(AUTH_METHODS as readonly string[]).includes(method)) throw oauthError('OAUTH_INVALID_CLIENT_METADATA', `token_endpoint_auth_method ${JSON.stringify(method)} is not supported; use ${AUTH_METHODS.join(', ')}.`)
  if (kind === 'document' && method !== 'none') throw oauthError('OAUTH_INVALID_CLIENT_METADATA', 'A client metadata document client is public: its token_endpoint_auth_method must be none.')
  const grants = body.grant_types
  if (grants !== undefined && (!Array.isArray(grants) || !grants.every((g) => GRANT_TYPES.includes(g as string)) || !grants.includes('authorization_code'))) {
    throw oauthError('OAUTH_INVALID_CLIENT_METADATA', 'grant_types may hold authorization_code and refresh_token only, and must hold authorization_code.')
  }
  const responses = body.response_types
  if (responses !== undefined && (!Array.isArray(responses) || responses.some((r) => r !== 'code'))) throw oauthError('OAUTH_INVALID_CLIENT_METADATA', 'response_types may hold code only.')
  const clientUri = str(body.client_uri, 'client_uri', 2000)
  const name = displayable(str(body.client_name, 'client_name', 200) ?? '')
  return {
    clientId,
    kind,
    name: name || (clientUri ? hostOf(clientUri) : '') || 'An unnamed client',
    redirectUris: uris as string[],
    authMethod: method as TokenAuthMethod,
    ...(clientUri ? { clientUri } : {})
  }
}

const hostOf = (u: string): string => {
  try {
    return new URL(u).host
  } catch {
    return ''
  }
}

/**
 * Whether `clientId` is a client ID metadata document URL: https, a host, a path other than `/`, no
 * fragment, no user info, no dot segments. Anything else is looked up among registered clients.
 */
export function isDocumentClientId(clientId: string): boolean {
  if (!clientId.startsWith('https://')) return false
  let u: URL
  try {
    u = new URL(clientId)
  } catch {
    return false
  }
  return u.pathname !== '/' && !u.hash && !u.username && !u.password && !/\/\.\.?(\/|$)/.test(clientId.slice(8))
}

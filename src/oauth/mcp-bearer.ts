// Whether /mcp lets a request in, with OAuth beside the static MCP_AUTH_TOKEN: the decision and the 401's
// challenge, from the Authorization header alone. Kept apart from the route so that it moves onto the
// verifier chain (static token, named credentials, OAuth) in one piece. Pure but for the verifier's read.
import type { BearerVerifier } from '../access/principal.js'
import type { ErrorCode } from '../errors/codes.js'
import { bearerChallenge, type OAuthUrls } from './metadata.js'

export interface McpOAuth {
  verifier: BearerVerifier
  urls: OAuthUrls
}

export interface BearerRefusal {
  code: ErrorCode
  message: string
  /** the WWW-Authenticate value */
  challenge: string
}

/** the static token check (http/auth.ts TokenGuard) */
interface StaticTokens {
  readonly enabled: boolean
  allows(authorization: string | undefined): boolean
}

/**
 * undefined when the request may go on. Without OAuth this is the static check as before. With OAuth, a
 * request needs a token even when MCP_AUTH_TOKEN is unset; the 401 points to the protected resource
 * metadata (RFC 9728 §5.1) and says `invalid_token` when a token was sent and refused (RFC 6750 §3.1).
 */
export function mcpBearerRefusal(tokens: StaticTokens, oauth: McpOAuth | undefined, authorization: string | undefined, now: number): BearerRefusal | undefined {
  if (!oauth) return tokens.allows(authorization) ? undefined : { code: 'UNAUTHORIZED', message: 'A valid bearer token is required.', challenge: 'Bearer realm="mcp"' }
  const token = /^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1]?.trim()
  if (!token) return { code: 'UNAUTHORIZED', message: 'A valid bearer token is required.', challenge: bearerChallenge(oauth.urls) }
  if ((tokens.enabled && tokens.allows(authorization)) || oauth.verifier.verify(token, now)) return undefined
  return { code: 'OAUTH_TOKEN_INVALID', message: 'The bearer token is invalid, expired or revoked.', challenge: bearerChallenge(oauth.urls, 'The access token is invalid, expired or revoked') }
}

// The discovery documents and the challenge that points to them. Pure: everything follows from the
// public base URL. The issuer is that origin; the protected resource is its /mcp endpoint, which is also
// the audience every access token is bound to (RFC 8707).
import { SCOPES } from './scope.js'

export interface OAuthUrls {
  /** the origin without a trailing slash, e.g. `https://wa.example.com` */
  issuer: string
  /** the canonical URI of the MCP endpoint, the audience of every token */
  resource: string
  /** where the protected resource metadata of /mcp lives (RFC 9728 §3.1, path-based) */
  resourceMetadata: string
}

/** the URLs for a PUBLIC_BASE_URL (already checked to be an origin by the config) */
export function oauthUrls(publicBaseUrl: string): OAuthUrls {
  const issuer = new URL(publicBaseUrl).origin
  return { issuer, resource: `${issuer}/mcp`, resourceMetadata: `${issuer}/.well-known/oauth-protected-resource/mcp` }
}

/** RFC 9728 protected resource metadata for /mcp */
export function protectedResourceMetadata(u: OAuthUrls): Record<string, unknown> {
  return {
    resource: u.resource,
    authorization_servers: [u.issuer],
    scopes_supported: SCOPES,
    bearer_methods_supported: ['header'],
    resource_name: 'WhatsApp (whatsapp-mcp-stream)'
  }
}

/** RFC 8414 authorization server metadata */
export function authorizationServerMetadata(u: OAuthUrls): Record<string, unknown> {
  return {
    issuer: u.issuer,
    authorization_endpoint: `${u.issuer}/oauth/authorize`,
    token_endpoint: `${u.issuer}/oauth/token`,
    registration_endpoint: `${u.issuer}/oauth/register`,
    revocation_endpoint: `${u.issuer}/oauth/revoke`,
    scopes_supported: SCOPES,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['none', 'client_secret_basic', 'client_secret_post'],
    revocation_endpoint_auth_methods_supported: ['none', 'client_secret_basic', 'client_secret_post'],
    client_id_metadata_document_supported: true,
    authorization_response_iss_parameter_supported: true
  }
}

const quoted = (s: string): string => s.replace(/["\\\r\n]/g, '')

/**
 * The WWW-Authenticate value of a 401 at /mcp (RFC 6750 §3, RFC 9728 §5.1): the realm, where the metadata
 * is, and, when a token was sent and refused, `error="invalid_token"` with a short description.
 */
export function bearerChallenge(u: OAuthUrls, refused?: string): string {
  const base = `Bearer realm="mcp", resource_metadata="${u.resourceMetadata}"`
  return refused ? `${base}, error="invalid_token", error_description="${quoted(refused)}"` : base
}

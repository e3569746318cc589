// OAuth errors in the protocol's own form: RFC 6749 §5.2 `{"error", "error_description"}` at the token,
// registration and revocation endpoints, query parameters on a redirect from the authorization endpoint.
// Each is an AppError with a registry code, so logs and the admin UI speak the house language while the
// client reads the `error` value its library expects.
import { AppError } from '../errors/app-error.js'
import type { ErrorCode } from '../errors/codes.js'

/** registry code -> the OAuth `error` value it is sent as */
export const OAUTH_ERROR_VALUES = {
  OAUTH_INVALID_REQUEST: 'invalid_request',
  OAUTH_INVALID_CLIENT: 'invalid_client',
  OAUTH_INVALID_GRANT: 'invalid_grant',
  OAUTH_UNSUPPORTED_GRANT_TYPE: 'unsupported_grant_type',
  OAUTH_UNSUPPORTED_RESPONSE_TYPE: 'unsupported_response_type',
  OAUTH_INVALID_SCOPE: 'invalid_scope',
  OAUTH_INVALID_TARGET: 'invalid_target',
  OAUTH_INVALID_REDIRECT_URI: 'invalid_redirect_uri',
  OAUTH_INVALID_CLIENT_METADATA: 'invalid_client_metadata',
  OAUTH_ACCESS_DENIED: 'access_denied',
  OAUTH_TOKEN_INVALID: 'invalid_token',
  OAUTH_TOO_MANY_CLIENTS: 'temporarily_unavailable'
} as const satisfies Partial<Record<ErrorCode, string>>

export type OAuthErrorCode = keyof typeof OAUTH_ERROR_VALUES

/** an OAuth failure; `description` is for people and never holds a token, code or secret */
export const oauthError = (code: OAuthErrorCode, description: string): AppError => new AppError(code, description)

/** the `error` value for an AppError (anything not OAuth's own is a server_error) */
export function oauthErrorValue(e: AppError): string {
  return (OAUTH_ERROR_VALUES as Record<string, string>)[e.code] ?? (e.status >= 500 ? 'server_error' : 'invalid_request')
}

/** the RFC 6749 §5.2 body; `code` carries the registry code beside the standard members (clients ignore unknown ones) */
export function oauthErrorBody(e: AppError): { error: string; error_description: string; code: string } {
  return { error: oauthErrorValue(e), error_description: e.message, code: e.code }
}

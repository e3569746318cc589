/**
 * The one registry of error codes. A code is a stable public contract: clients, tests and the admin UI
 * match on it. Never rename or reuse a code; add a new one. `docs/errors.md` lists every code and a test
 * keeps the two in sync.
 *
 * `status` is the HTTP status the HTTP API answers with; MCP tools carry the code inside an `isError`
 * result instead. `retryable` tells a client that the same call may succeed later unchanged.
 */
export const ERROR_CODES = {
  // --- generic
  INTERNAL: { status: 500, retryable: false, summary: 'Unexpected server error; details are in the server log.' },
  INVALID_INPUT: { status: 400, retryable: false, summary: 'A parameter is missing, of the wrong type or out of range.' },
  NOT_FOUND: { status: 404, retryable: false, summary: 'No such route or resource.' },
  METHOD_NOT_ALLOWED: { status: 405, retryable: false, summary: 'The route exists but not for this HTTP method.' },
  UNAUTHORIZED: { status: 401, retryable: false, summary: 'A bearer token is required and was missing or wrong.' },
  SIGN_IN_THROTTLED: { status: 429, retryable: true, summary: 'Too many failed sign-in attempts from this address (or from everywhere); retry after data.retry_after seconds.' },
  FORBIDDEN: { status: 403, retryable: false, summary: 'The caller may not do this.' },
  HOST_FORBIDDEN: { status: 403, retryable: false, summary: 'The Host header names no name this server answers to (DNS-rebinding protection); see ALLOWED_HOSTS.' },
  ORIGIN_FORBIDDEN: { status: 403, retryable: false, summary: 'A cross-site request, or a cookie-only request without Origin, to a route that refuses them (CSRF protection).' },
  PAYLOAD_TOO_LARGE: { status: 413, retryable: false, summary: 'The request body is larger than this route accepts.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, retryable: false, summary: 'The request Content-Type is not accepted by this route.' },
  NOT_ACCEPTABLE: { status: 406, retryable: false, summary: 'The Accept header allows no representation this route can produce.' },
  RATE_LIMITED: { status: 429, retryable: true, summary: 'Too many requests, or a send over the pacing limits with pacing_over_limit "refuse" (data.limit names the limit); retry after data.retry_after seconds.' },
  SHUTTING_DOWN: { status: 503, retryable: true, summary: 'The server is shutting down and takes no new work.' },
  CONFIG_INVALID: { status: 500, retryable: false, summary: 'A configuration value is invalid.' },
  TIMEOUT: { status: 504, retryable: true, summary: 'An operation did not finish in time.' },
  UWS_NOT_AVAILABLE: { status: 500, retryable: false, summary: 'No native uWebSockets.js binary loads for this Node and libc, and UWS_ALLOW_FALLBACK=1 is not set; start-up stops.' },
  PORT_IN_USE: { status: 500, retryable: false, summary: 'Another process listens on HOST:PORT; start-up stops.' },

  // --- MCP transport
  MCP_SESSION_NOT_FOUND: { status: 404, retryable: false, summary: 'Unknown or expired Mcp-Session-Id; initialize a new session.' },
  MCP_SESSION_REQUIRED: { status: 400, retryable: false, summary: 'The request needs an Mcp-Session-Id header.' },
  MCP_PROTOCOL_VERSION_UNSUPPORTED: { status: 400, retryable: false, summary: 'The MCP-Protocol-Version header names a version this server does not speak.' },
  MCP_ORIGIN_FORBIDDEN: { status: 403, retryable: false, summary: 'The Origin or Host header is not on the allowlist (DNS-rebinding protection).' },
  MCP_TOO_MANY_SESSIONS: { status: 503, retryable: true, summary: 'The session cap is reached; retry after idle sessions expire.' },
  MCP_META_INVALID: { status: 400, retryable: false, summary: 'A 2026-07-28 request lacks params._meta or its io.modelcontextprotocol/protocolVersion or clientCapabilities (JSON-RPC -32602).' },
  MCP_HEADER_MISMATCH: { status: 400, retryable: false, summary: 'The MCP-Protocol-Version, Mcp-Method or Mcp-Name header is missing or disagrees with the request body (JSON-RPC -32020).' },
  MCP_METHOD_NOT_FOUND: { status: 404, retryable: false, summary: 'The JSON-RPC method does not exist in the protocol version the request speaks (JSON-RPC -32601).' },
  MCP_CLIENT_CAPABILITY_MISSING: { status: 400, retryable: false, summary: 'The call needs a client capability (elicitation, sampling, roots) the client did not declare (JSON-RPC -32021).' },
  MCP_STATE_INVALID: { status: 400, retryable: false, summary: 'A requestState, cursor or task handle fails its signature check, is malformed or belongs to another request (JSON-RPC -32602).' },
  MCP_STATE_EXPIRED: { status: 400, retryable: false, summary: 'A requestState, cursor or task handle is older than its lifetime; start the request again (JSON-RPC -32602).' },
  MCP_PARAMS_TOO_LARGE: { status: 400, retryable: false, summary: 'initialize\'s clientInfo or capabilities, or the body\'s nesting or number of values, is past its limit (a JSON-RPC -32602 or -32600 error carries this code in data.code).' },
  MCP_BATCH_TOO_LARGE: { status: 400, retryable: false, summary: 'A JSON-RPC batch holds more messages than the server takes at once (data.limit); split it.' },

  // --- WhatsApp link and worker
  WA_NOT_LINKED: { status: 409, retryable: false, summary: 'No WhatsApp account is linked; scan the QR code first.' },
  WA_NOT_READY: { status: 503, retryable: true, summary: 'WhatsApp is linked but not connected right now; retry shortly.' },
  WA_ALREADY_LINKED: { status: 409, retryable: false, summary: 'An account is already linked; there is no QR code to show.' },
  WA_QR_UNAVAILABLE: { status: 404, retryable: true, summary: 'No QR code has been issued yet; retry in a moment.' },
  WA_SESSION_REPLACED: { status: 409, retryable: false, summary: 'Another client took over this WhatsApp session; relink or restart to take it back.' },
  WA_WORKER_RESTARTING: { status: 503, retryable: true, summary: 'The WhatsApp worker is restarting; retry shortly.' },
  WA_WORKER_CRASHED: { status: 503, retryable: true, summary: 'The WhatsApp worker stopped while handling the call.' },
  WA_SEND_FAILED: { status: 502, retryable: true, summary: 'WhatsApp did not accept the message.' },
  WA_QUERY_FAILED: { status: 502, retryable: true, summary: 'A query to WhatsApp failed.' },
  WA_JID_INVALID: { status: 400, retryable: false, summary: 'The value is not a valid WhatsApp JID or phone number.' },
  WA_NOT_ON_WHATSAPP: { status: 404, retryable: false, summary: 'The phone number is not registered on WhatsApp.' },

  // --- store lookups
  CHAT_NOT_FOUND: { status: 404, retryable: false, summary: 'No chat with this JID is known.' },
  CONTACT_NOT_FOUND: { status: 404, retryable: false, summary: 'No contact with this JID or query is known.' },
  MESSAGE_NOT_FOUND: { status: 404, retryable: false, summary: 'No message with this id is stored.' },
  MESSAGE_NOT_EDITABLE: { status: 409, retryable: false, summary: 'The message is not one this account sent, or WhatsApp\'s 15-minute edit window has passed.' },
  GROUP_NOT_FOUND: { status: 404, retryable: false, summary: 'No group with this JID is known.' },
  CURSOR_INVALID: { status: 400, retryable: false, summary: 'The pagination cursor is malformed or belongs to another query.' },
  CURSOR_EXPIRED: { status: 410, retryable: false, summary: 'The event cursor is older than the event log keeps; start again without since and read the chats to catch up.' },
  STORE_UNAVAILABLE: { status: 503, retryable: true, summary: 'The message store cannot be reached right now.' },

  // --- sending and idempotency
  IDEMPOTENCY_KEY_CONFLICT: { status: 409, retryable: false, summary: 'The idempotency key was already used for a different request.' },

  // --- media
  MEDIA_NOT_FOUND: { status: 404, retryable: false, summary: 'The message has no media, or the media file does not exist.' },
  MEDIA_EXPIRED: { status: 410, retryable: false, summary: 'WhatsApp no longer serves this media and the re-upload request failed.' },
  MEDIA_TOO_LARGE: { status: 413, retryable: false, summary: 'The media is larger than the configured limit.' },
  MEDIA_TYPE_REJECTED: { status: 415, retryable: false, summary: 'The media type is not accepted here.' },
  MEDIA_PATH_FORBIDDEN: { status: 403, retryable: false, summary: 'The local path is outside MEDIA_DIR and the configured media roots.' },
  URL_FORBIDDEN: { status: 403, retryable: false, summary: 'A URL the server would fetch (media_url, or a redirect from it) leads to a loopback, private, link-local or other non-public address; MEDIA_URL_ALLOW_PRIVATE=true allows them.' },
  MEDIA_FETCH_FAILED: { status: 502, retryable: true, summary: 'The media URL could not be fetched.' },
  MEDIA_LINK_INVALID: { status: 403, retryable: false, summary: 'The /media link\'s signature does not match its path and expiry.' },
  MEDIA_LINK_EXPIRED: { status: 403, retryable: false, summary: 'The signed /media link has expired; ask for a new one.' },
  MEDIA_TRANSCODE_FAILED: { status: 422, retryable: false, summary: 'The audio could not be converted to a voice note.' },

  // --- uploads and settings
  UPLOAD_DISABLED: { status: 403, retryable: false, summary: 'Uploads are turned off in the settings.' },
  UPLOAD_TOKEN_INVALID: { status: 401, retryable: false, summary: 'The upload token is missing or wrong.' },
  UPLOAD_TOO_MANY_FILES: { status: 400, retryable: false, summary: 'More files than max_files_per_upload were sent.' },
  SETTINGS_INVALID: { status: 400, retryable: false, summary: 'A setting has a wrong type or is out of range.' },

  // --- webhooks
  WEBHOOK_URL_INVALID: { status: 400, retryable: false, summary: 'A webhook URL is not an absolute http or https URL, or carries a user name or password.' },
  WEBHOOK_URL_FORBIDDEN: { status: 403, retryable: false, summary: 'A webhook URL leads to a loopback, private, link-local or other non-public address; WEBHOOK_ALLOW_PRIVATE=true allows them.' },
  WEBHOOK_INVALID: { status: 400, retryable: false, summary: 'A webhook endpoint has a bad field: unknown event kinds, a bad chat filter, a too short secret, a duplicate id.' },
  WEBHOOK_NOT_FOUND: { status: 404, retryable: false, summary: 'No webhook endpoint with this id is configured.' },
  WEBHOOK_DELIVERY_NOT_FOUND: { status: 404, retryable: false, summary: 'No webhook delivery with this endpoint and event id is in the delivery log.' },

  // --- pools and workers
  POOL_TASK_FAILED: { status: 500, retryable: true, summary: 'A background task failed.' },

  // --- scoped credentials and chat policy
  CREDENTIAL_INVALID: { status: 401, retryable: false, summary: 'The bearer token has the shape of a credential but is malformed or unknown.' },
  CREDENTIAL_EXPIRED: { status: 401, retryable: false, summary: 'The credential is past its expiry; create a new one in the admin UI.' },
  CREDENTIAL_REVOKED: { status: 401, retryable: false, summary: 'The credential was revoked in the admin UI.' },
  CREDENTIAL_NOT_FOUND: { status: 404, retryable: false, summary: 'No credential with this id.' },
  CREDENTIALS_INVALID: { status: 400, retryable: false, summary: 'A credential has a bad field (name, toolsets, chat scope, expiry), or MCP_CREDENTIALS does not parse.' },
  MCP_SESSION_FORBIDDEN: { status: 403, retryable: false, summary: 'The MCP session belongs to another credential; a session is used only with the token that created it.' },
  TOOL_FORBIDDEN: { status: 403, retryable: false, summary: 'The tool is outside the toolsets of this credential.' },
  CHAT_FORBIDDEN: { status: 403, retryable: false, summary: 'The chat is outside the chat scope of this credential, or marked "never for agents".' },
  CHAT_READ_ONLY: { status: 403, retryable: false, summary: 'The chat is marked "read only": agents may read it, never send to it or act on it.' },
  CHAT_POLICY_INVALID: { status: 400, retryable: false, summary: 'A chat policy names an unknown policy or a malformed chat.' },
  // --- audit trail
  AUDIT_CURSOR_INVALID: { status: 400, retryable: false, summary: 'The audit cursor is not one /api/audit handed out (next_cursor); start again without it.' },
  AUDIT_QUERY_INVALID: { status: 400, retryable: false, summary: 'An /api/audit filter has a bad value: since and until take ms since the epoch or an ISO date, limit 1..500.' },
  // --- OAuth 2.1 for remote MCP clients (src/oauth/*); each maps to the protocol's own `error` value
  OAUTH_INVALID_REQUEST: { status: 400, retryable: false, summary: 'An OAuth request lacks a parameter, repeats one, or has one that is malformed (invalid_request).' },
  OAUTH_INVALID_CLIENT: { status: 401, retryable: false, summary: 'The OAuth client is unknown, its client metadata document cannot be used, or its authentication failed (invalid_client).' },
  OAUTH_INVALID_GRANT: { status: 400, retryable: false, summary: 'The authorization code or refresh token is unknown, expired, revoked, used already, issued to another client or redirect URI, or the PKCE verifier does not match (invalid_grant).' },
  OAUTH_UNSUPPORTED_GRANT_TYPE: { status: 400, retryable: false, summary: 'The token endpoint knows authorization_code and refresh_token only (unsupported_grant_type).' },
  OAUTH_UNSUPPORTED_RESPONSE_TYPE: { status: 400, retryable: false, summary: 'The authorization endpoint knows response_type=code only (unsupported_response_type).' },
  OAUTH_INVALID_SCOPE: { status: 400, retryable: false, summary: 'A requested scope is not one of the toolsets this server offers (invalid_scope).' },
  OAUTH_INVALID_TARGET: { status: 400, retryable: false, summary: 'The resource parameter names something other than this server\'s /mcp endpoint (invalid_target, RFC 8707).' },
  OAUTH_INVALID_REDIRECT_URI: { status: 400, retryable: false, summary: 'The redirect URI is not one the client registered, or a registered one is not https or loopback http (invalid_redirect_uri).' },
  OAUTH_INVALID_CLIENT_METADATA: { status: 400, retryable: false, summary: 'The client registration or client metadata document has a bad field (invalid_client_metadata).' },
  OAUTH_ACCESS_DENIED: { status: 403, retryable: false, summary: 'The person at the consent page denied the client access (access_denied).' },
  OAUTH_REQUEST_NOT_FOUND: { status: 404, retryable: false, summary: 'The authorization request is unknown, decided already, or older than 10 minutes; start again from the client.' },
  OAUTH_TOKEN_INVALID: { status: 401, retryable: false, summary: 'The bearer token is malformed, unknown, expired, revoked or issued for another resource (invalid_token).' },
  OAUTH_TOO_MANY_CLIENTS: { status: 429, retryable: true, summary: 'Too many dynamic client registrations; the server keeps at most OAUTH_MAX_CLIENTS and takes a bounded number an hour.' },

  // --- arguments agents get wrong
  TIME_IN_SECONDS: { status: 400, retryable: false, summary: 'A time argument is a number that can only be unix seconds; times are unix milliseconds or ISO 8601.' },
  TIME_INVALID: { status: 400, retryable: false, summary: 'A time argument is neither unix milliseconds nor an ISO 8601 time.' },
  NAME_AMBIGUOUS: { status: 409, retryable: false, summary: 'A name given where a JID is expected matches several contacts or groups; the error lists them (data.candidates) to pick a JID from.' },
  // --- group, chat and account actions
  GROUP_NOT_ADMIN: { status: 403, retryable: false, summary: 'The group change needs this account to be an admin of the group.' },
  GROUP_INVITE_INVALID: { status: 404, retryable: false, summary: 'The group invite link or code is unknown, revoked or expired.' },
  APP_STATE_NOT_READY: { status: 503, retryable: true, summary: 'The phone has not yet shared the keys a chat change needs (app state); retry once the first sync is done.' },
  // --- MCP transport: the JSON-RPC envelope
  MCP_PARSE_ERROR: { status: 400, retryable: false, summary: 'The /mcp body is not valid JSON (JSON-RPC -32700).' },
  MCP_INVALID_REQUEST: { status: 400, retryable: false, summary: 'The /mcp body is not a JSON-RPC 2.0 message this protocol version takes: malformed, initialize not sent alone, or a batch where the version has none (JSON-RPC -32600).' },
  // --- the outbox: scheduled messages and paced sends (src/outbox/*)
  SCHEDULED_NOT_FOUND: { status: 404, retryable: false, summary: 'No scheduled or queued send with this id, or it is in a chat outside what this credential may see.' },
  SCHEDULED_ALREADY_SENT: { status: 409, retryable: false, summary: 'The scheduled send went out already (data.message_id); it cannot be cancelled.' },
  SCHEDULED_NOT_PENDING: { status: 409, retryable: false, summary: 'The scheduled send is sending right now, missed or failed (data.status); only a pending one can be cancelled.' },
  SCHEDULED_MISSED: { status: 410, retryable: false, summary: 'A scheduled send was due longer ago than schedule_missed_after_s when it could go (the server was down), so it was not sent.' },
  OUTBOX_FULL: { status: 429, retryable: true, summary: 'Too many sends wait in the outbox (100,000); cancel some or wait for them to go.' },
  // --- approval before sending (src/approvals)
  APPROVAL_REQUIRED: { status: 403, retryable: false, summary: 'The call needs a person\'s approval and this server runs no approval gate to ask one; nothing was sent or changed.' },
  APPROVAL_REJECTED: { status: 403, retryable: false, summary: 'A person rejected the send or action (their note is in the message and data.note); nothing was sent or changed.' },
  APPROVAL_TIMEOUT: { status: 408, retryable: true, summary: 'Nobody decided on the send or action within approval_timeout_s (or the call was cancelled while it waited); nothing was sent or changed.' },
  APPROVAL_NOT_FOUND: { status: 404, retryable: false, summary: 'No approval request with this id.' },
  APPROVAL_DECIDED: { status: 409, retryable: false, summary: 'The approval request was decided already (or expired): the first decision wins; the answer holds the request as it stands.' },
} as const satisfies Record<string, { status: number; retryable: boolean; summary: string }>

export type ErrorCode = keyof typeof ERROR_CODES

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value)
}

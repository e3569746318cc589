// Who is calling: every bearer token that /mcp accepts (the static MCP_AUTH_TOKEN, a named credential made
// in the admin UI, an OAuth access token) resolves to one Principal, and every tool, resource, event and
// export judges the call by it alone. Verification is synchronous on purpose: /mcp decides from the
// headers before it reads a body byte, so a refused body is never buffered.

/** the groups of tools a credential may be given (MCP_TOOLSETS publishes the same names) */
export const TOOLSETS = ['read', 'send', 'groups', 'account', 'admin', 'audit'] as const
export type Toolset = (typeof TOOLSETS)[number]

/** which chats a principal sees: all of them, only an allow list, or all but a deny list (groups and people) */
export type ChatScope = { mode: 'all' } | { mode: 'allow'; jids: readonly string[] } | { mode: 'deny'; jids: readonly string[] }

export interface Principal {
  /** stable id for audit and per-caller limits: `static`, `cred:<id>`, `oauth:<grant id>` */
  readonly id: string
  readonly kind: 'static' | 'open' | 'credential' | 'oauth'
  /** what the audit trail and the admin UI show (the credential's name, the OAuth client's name) */
  readonly name: string
  readonly toolsets: 'all' | ReadonlySet<Toolset>
  readonly chats: ChatScope
  /** ms since the epoch; past it the token is refused */
  readonly expiresAt?: number
  /** what of this principal's calls waits for a person (a credential's own setting; see src/approvals) */
  readonly approval?: 'none' | 'sends' | 'actions'
  /** the OAuth client id, for OAuth grants */
  readonly clientId?: string
}

/** the principal of a server without MCP_AUTH_TOKEN (loopback-only by the Host policy): may do everything */
export const OPEN_PRINCIPAL: Principal = { id: 'open', kind: 'open', name: 'no token', toolsets: 'all', chats: { mode: 'all' } }
/** the principal of the static MCP_AUTH_TOKEN: may do everything */
export const STATIC_PRINCIPAL: Principal = { id: 'static', kind: 'static', name: 'MCP_AUTH_TOKEN', toolsets: 'all', chats: { mode: 'all' } }

/** one source of bearer tokens; undefined when the token is not one of its own */
export interface BearerVerifier {
  verify(token: string, now: number): Principal | undefined
}

/**
 * Which Host and Origin a request may carry, decided from headers alone, before any handler or body.
 *
 * Host (DNS rebinding). A page on an attacker's name that re-resolves to this server sends that name as its
 * Host, so every route except /healthz accepts only:
 *   - the loopback names `localhost`, `127.0.0.1`, `[::1]`, with any port;
 *   - IP literals (a rebinding attack needs a name the attacker controls; a browser that speaks to an
 *     address sends that address, so addresses cannot be rebound);
 *   - the names of ALLOWED_HOSTS, of PUBLIC_BASE_URL / MEDIA_PUBLIC_BASE_URL and of a named HOST; an entry
 *     with a port matches that port only, `*` turns the check off (a proxy in front checks Host).
 * Names compare case-insensitively; a trailing dot, an empty or non-numeric port, or a missing Host is refused.
 * /healthz stays open to any Host: container and orchestrator probes call it by whatever name or address
 * they were given, and it reveals nothing but the link state.
 *
 * Origin (CSRF). A browser adds the sign-in cookie to requests any site makes, and with no ADMIN_TOKEN at all
 * nothing stands between a site and the API, so for `/api/*`, `/metrics` and `/mcp`:
 *   1. an `Origin` must be this server's own (its host and port equal the Host header); `/mcp` also takes
 *      MCP_ALLOWED_ORIGINS (`*` for any) and loopback origins (local MCP inspectors); `Origin: null` never;
 *   2. without Origin, a `Sec-Fetch-Site` must be `same-origin` or `none` (typed into the address bar);
 *   3. without either, the client is not a browser (browsers send Origin on every POST, PUT, PATCH, DELETE,
 *      and fetch metadata on every request since 2020-2023). A state-changing request in that case may not
 *      rest on a cookie alone: it is allowed when it carries a credential header (Authorization,
 *      X-Upload-Token), which no page can add cross-site without a CORS preflight we never grant, or when it
 *      carries no cookie at all (a script; with no token configured it could do the same with curl).
 * Reads (GET, HEAD) follow rules 1 and 2 too, so a page cannot make the server build an export or stream
 * events for it; only rule 3's cookie clause is for state-changing methods, which old Safari needs for its
 * same-origin GETs. `/`, `/admin/*`, `/media/*` and unknown paths check Host only: they are navigated to
 * and linked from elsewhere, and hold nothing a cross-site read could see.
 *
 * OAuth (OAUTH_ENABLED). `/.well-known/oauth-*` and `/oauth/token`, `/oauth/register`, `/oauth/revoke`
 * check Host only: clients call them cross-origin by nature (a browser-based client from its own site),
 * they read no cookie, and what they hand out needs the client's own code, verifier or token.
 * `/oauth/authorize` is a navigation from the client's site, so Host only as well; it only leads to the
 * consent page, and the consent itself is `/api/oauth/requests/:id`, a same-origin route behind the sign-in.
 *
 * Pure: no I/O, no uWS. The shell (route-table.ts) feeds it headers and answers its verdict.
 */
import { isIP } from 'node:net'
import type { ErrorCode } from '../errors/codes.js'

export interface PolicyConfig {
  /** lower-case `name` or `name:port` entries, or `*` */
  allowedHosts: readonly string[]
  /** browser origins /mcp accepts besides its own and loopback ones, or `*` */
  mcpOrigins: readonly string[]
}

/** how strictly a route is checked; see the header comment */
export type RouteClass = 'open' | 'host' | 'same-origin' | 'mcp'

export interface PolicyHeaders {
  host?: string | undefined
  origin?: string | undefined
  secFetchSite?: string | undefined
  authorization?: string | undefined
  uploadToken?: string | undefined
  cookie?: string | undefined
}

export interface Verdict {
  code: ErrorCode
  message: string
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]'])
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** the class of a route by the pattern it is registered under (`/api/chats/:jid`); the method does not change it */
export function classify(pattern: string): RouteClass {
  if (pattern === '/healthz') return 'open'
  if (pattern === '/mcp') return 'mcp'
  if (pattern === '/metrics' || pattern === '/api' || pattern.startsWith('/api/')) return 'same-origin'
  // cross-origin by nature (see the header comment)
  if (pattern.startsWith('/oauth/') || pattern.startsWith('/.well-known/')) return 'host'
  return 'host'
}

/** `name` and `port` of a Host header value, or undefined when it is not a well-formed one */
export function parseHost(value: string): { name: string; port: string | undefined } | undefined {
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9_.-]+)(?::(\d{1,5}))?$/i.exec(value)
  if (!m) return undefined
  const name = m[1]!.toLowerCase()
  const port = m[2]
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return undefined
  if (name.startsWith('[') && isIP(name.slice(1, -1)) !== 6) return undefined
  return { name, port }
}

/** verdicts on Host values already seen, per configuration: a server hears the same few names on every request */
const hostVerdicts = new WeakMap<PolicyConfig, Map<string, boolean>>()
const HOST_VERDICTS_MAX = 256

function hostAllowed(cfg: PolicyConfig, value: string | undefined): boolean {
  if (cfg.allowedHosts.includes('*')) return true
  if (value === undefined) return false
  let seen = hostVerdicts.get(cfg)
  if (!seen) hostVerdicts.set(cfg, (seen = new Map()))
  let ok = seen.get(value)
  if (ok === undefined) {
    // a client that sends a new name on every request only refills the memo, it cannot grow it
    if (seen.size >= HOST_VERDICTS_MAX) seen.clear()
    seen.set(value, (ok = judgeHost(cfg, value)))
  }
  return ok
}

function judgeHost(cfg: PolicyConfig, value: string): boolean {
  const h = parseHost(value)
  if (!h) return false
  if (LOOPBACK_NAMES.has(h.name) || isIP(h.name) === 4 || h.name.startsWith('[')) return true
  return cfg.allowedHosts.includes(h.name) || (h.port !== undefined && cfg.allowedHosts.includes(`${h.name}:${h.port}`))
}

/** host[:port] of an Origin with the scheme's default port dropped, or undefined when it is not an origin */
function originHost(origin: string): string | undefined {
  let u: URL
  try {
    u = new URL(origin)
  } catch {
    return undefined
  }
  // a serialized origin only: scheme, host and port, nothing after them
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.origin.toLowerCase() !== origin.toLowerCase()) return undefined
  return u.host
}

/** the Host header as an Origin's host would spell it: lower case, no default port */
function normalHost(host: string, scheme: string): string {
  const h = host.toLowerCase()
  return h.replace(scheme === 'https:' ? /:443$/ : /:80$/, '')
}

function originAllowed(cfg: PolicyConfig, cls: RouteClass, origin: string, host: string | undefined): boolean {
  if (origin === 'null') return false
  const oh = originHost(origin)
  if (!oh) return false
  const scheme = origin.slice(0, origin.indexOf(':') + 1).toLowerCase()
  if (host !== undefined && oh === normalHost(host, scheme)) return true
  if (cls !== 'mcp') return false
  if (cfg.mcpOrigins.includes('*') || cfg.mcpOrigins.includes(origin)) return true
  const name = parseHost(oh)?.name
  return name !== undefined && LOOPBACK_NAMES.has(name)
}

/**
 * undefined when the request may go on, else the coded reason to refuse it (HOST_FORBIDDEN,
 * ORIGIN_FORBIDDEN, or MCP_ORIGIN_FORBIDDEN on /mcp). `pattern` is the route's registered pattern.
 * Messages never echo header values.
 */
export function decide(cfg: PolicyConfig, method: string, pattern: string, h: PolicyHeaders): Verdict | undefined {
  const cls = classify(pattern)
  if (cls === 'open') return undefined
  if (!hostAllowed(cfg, h.host)) return { code: 'HOST_FORBIDDEN', message: 'This server does not answer to that Host name; add it to ALLOWED_HOSTS if it is one of its own.' }
  if (cls === 'host') return undefined
  const originCode: ErrorCode = cls === 'mcp' ? 'MCP_ORIGIN_FORBIDDEN' : 'ORIGIN_FORBIDDEN'
  if (h.origin !== undefined) {
    if (originAllowed(cfg, cls, h.origin, h.host)) return undefined
    return { code: originCode, message: cls === 'mcp' ? 'That Origin is not allowed; list it in MCP_ALLOWED_ORIGINS.' : 'Cross-site requests are not allowed.' }
  }
  if (h.secFetchSite !== undefined) {
    const site = h.secFetchSite.toLowerCase()
    if (site === 'same-origin' || site === 'none') return undefined
    return { code: originCode, message: 'Cross-site requests are not allowed.' }
  }
  if (!STATE_CHANGING.has(method.toUpperCase())) return undefined
  if (h.authorization || h.uploadToken || !h.cookie) return undefined
  return { code: originCode, message: 'A request that changes something needs an Origin header or a bearer token.' }
}

// Which redirect URIs a client may register and how a request's redirect_uri is matched against them.
// Pure policy. Registered URIs are https, loopback http (RFC 8252 §7.3, native apps and CLI tools), or a
// private-use scheme in reverse-domain form (RFC 8252 §7.1, `com.example.app:/cb`); never a fragment, never
// `javascript:`, `data:` or `file:`. Matching is exact string comparison (OAuth 2.1 §4.1.1), except that a
// loopback IP redirect may name any port: the port a native app listens on is picked at run time (§8.4.2).

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost'])
const LOOPBACK_IPS = new Set(['127.0.0.1', '[::1]'])
const FORBIDDEN_SCHEMES = new Set(['javascript:', 'data:', 'file:', 'blob:', 'vbscript:', 'about:', 'ftp:', 'ws:', 'wss:'])

const parse = (uri: string): URL | undefined => {
  try {
    return new URL(uri)
  } catch {
    return undefined
  }
}

/** undefined when `uri` may be registered, else why not (for the error description) */
export function redirectUriProblem(uri: string): string | undefined {
  if (uri.length > 2000) return 'a redirect URI is longer than 2000 characters'
  const u = parse(uri)
  if (!u) return 'a redirect URI is not an absolute URI'
  if (u.hash || uri.includes('#')) return 'a redirect URI must not have a fragment'
  if (u.username || u.password) return 'a redirect URI must not carry a user name or password'
  if (u.protocol === 'https:') return u.hostname ? undefined : 'an https redirect URI needs a host'
  if (u.protocol === 'http:') return LOOPBACK_HOSTS.has(u.hostname) ? undefined : 'an http redirect URI must be a loopback one (127.0.0.1, [::1] or localhost); others must be https'
  if (FORBIDDEN_SCHEMES.has(u.protocol)) return `the ${u.protocol} scheme is not allowed for redirect URIs`
  // a private-use scheme must be a reverse domain name, so one app cannot claim another's generic scheme
  return /^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+:$/.test(u.protocol) ? undefined : 'a custom redirect URI scheme must be a reverse domain name (com.example.app:/callback)'
}

/** true when `given` is one of `registered`, or a loopback IP URI equal to one but for its port */
export function redirectMatches(registered: readonly string[], given: string): boolean {
  if (registered.includes(given)) return true
  const g = parse(given)
  if (!g || g.protocol !== 'http:' || !LOOPBACK_IPS.has(g.hostname)) return false
  return registered.some((r) => {
    const u = parse(r)
    return !!u && u.protocol === 'http:' && u.hostname === g.hostname && u.pathname === g.pathname && u.search === g.search
  })
}

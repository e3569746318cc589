// The OAuth endpoints: discovery (RFC 9728, RFC 8414), /oauth/authorize (a browser navigation that ends on
// the consent page), and the token, registration and revocation endpoints, which clients call
// cross-origin by nature: they read no cookie, the client authenticates in the request, and they answer
// CORS for any origin. Errors take the protocol's form (RFC 6749 §5.2, RFC 7591 §3.2.2).
import type { TemplatedApp } from '../uws.js'
import { wrap, type RequestInfo } from '../router.js'
import { send, sendError, sendJson, type Headers, type ResState } from '../respond.js'
import type { HttpResponse } from '../uws.js'
import { readBody, parseJsonObject } from '../read-body.js'
import { AppError, toAppError } from '../../errors/app-error.js'
import { oauthError, oauthErrorBody, oauthErrorValue } from '../../oauth/oauth-error.js'
import { authorizationServerMetadata, protectedResourceMetadata } from '../../oauth/metadata.js'
import type { OAuthService } from '../../oauth/oauth-service.js'
import type { Logger } from 'pino'

/** a token, registration or revocation request is a few hundred bytes */
const BODY_LIMIT = 16 * 1024
const CORS: Headers = { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET, POST, OPTIONS', 'access-control-allow-headers': 'authorization, content-type, mcp-protocol-version', 'access-control-max-age': '600' }
const NO_STORE: Headers = { 'cache-control': 'no-store', pragma: 'no-cache' }
const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** HTTP Basic client credentials (RFC 6749 §2.3.1: both parts form-urlencoded), undefined without the header */
function basicCredentials(r: RequestInfo): { id: string; secret: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(r.headers.authorization ?? '')
  if (!r.headers.authorization?.toLowerCase().startsWith('basic')) return undefined
  const raw = m ? Buffer.from(m[1]!, 'base64').toString('utf8') : ''
  const i = raw.indexOf(':')
  try {
    if (i > 0) return { id: decodeURIComponent(raw.slice(0, i).replace(/\+/g, ' ')), secret: decodeURIComponent(raw.slice(i + 1).replace(/\+/g, ' ')) }
  } catch {
    // broken percent-encoding: the same answer as no colon
  }
  throw oauthError('OAUTH_INVALID_CLIENT', 'The HTTP Basic client credentials are malformed.')
}

/** a form body (application/x-www-form-urlencoded), the only kind the token and revocation endpoints take */
function formBody(r: RequestInfo, body: Buffer): URLSearchParams {
  if (!(r.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) throw oauthError('OAUTH_INVALID_REQUEST', 'The body must be application/x-www-form-urlencoded.')
  return new URLSearchParams(body.toString('utf8'))
}

function sendOAuthError(res: HttpResponse, st: ResState, err: unknown, log: Logger): void {
  const e = err instanceof AppError ? err : toAppError(err)
  if (e.status >= 500) log.error({ err }, 'oauth request failed')
  else log.debug({ code: e.code }, 'oauth request refused')
  const challenge: Headers = e.code === 'OAUTH_INVALID_CLIENT' ? { 'www-authenticate': 'Basic realm="oauth"' } : {}
  sendJson(res, st, e.status, oauthErrorBody(e), { ...CORS, ...NO_STORE, ...challenge })
}

/** registers the OAuth routes; call before the catch-all */
export function registerOAuth(app: TemplatedApp, oauth: OAuthService, log: Logger): void {
  const { urls, server, clients } = oauth
  const prm = (_r: RequestInfo, res: HttpResponse, st: ResState) => sendJson(res, st, 200, protectedResourceMetadata(urls), { ...CORS, 'cache-control': 'public, max-age=300' })
  app.get('/.well-known/oauth-protected-resource', wrap(prm, log))
  app.get('/.well-known/oauth-protected-resource/mcp', wrap(prm, log))
  app.get('/.well-known/oauth-authorization-server', wrap((_r, res, st) => sendJson(res, st, 200, authorizationServerMetadata(urls), { ...CORS, 'cache-control': 'public, max-age=300' }), log))

  app.get('/oauth/authorize', wrap(async (r, res, st) => {
    try {
      const out = await server.authorize(r.query, Date.now())
      const location = 'redirect' in out ? out.redirect : `/admin/consent.html?request=${encodeURIComponent(out.consent.id)}`
      send(res, st, 302, '', { location, ...NO_STORE, 'referrer-policy': 'no-referrer' })
    } catch (err) {
      // the client or its redirect URI is not to be trusted: tell the person, never redirect (RFC 6749 §4.1.2.1)
      const e = err instanceof AppError ? err : toAppError(err)
      if (e.status >= 500) log.error({ err }, 'oauth authorize failed')
      // a browser gets a page; anything else the stable error body, with the OAuth error value in data
      if (!(r.headers.accept ?? '').includes('text/html')) return sendError(res, st, new AppError(e.code, e.message, { error: oauthErrorValue(e) }), NO_STORE)
      const html = `<!doctype html><meta charset="utf-8"><title>Authorization failed</title><body style="font-family:sans-serif;max-width:40em;margin:3em auto"><h1>This client cannot be authorized</h1><p id="error" data-error="${oauthErrorValue(e)}" data-code="${e.code}">${escapeHtml(e.message)}</p><p>Error: <code>${oauthErrorValue(e)}</code>. Nothing was granted; you can close this page.</p></body>`
      send(res, st, e.status === 401 ? 400 : e.status, html, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': PAGE_CSP, 'x-content-type-options': 'nosniff', ...NO_STORE })
    }
  }, log))

  const post = (path: string, handle: (r: RequestInfo, body: Buffer) => Promise<{ status: number; body: unknown }>) => {
    app.options(path, wrap((_r, res, st) => send(res, st, 204, '', CORS), log))
    app.post(path, wrap((r, res, st) => {
      const body = readBody(res, st, BODY_LIMIT)
      body.catch(() => undefined)
      return (async () => {
        try {
          const out = await handle(r, await body)
          if (out.status === 200 && out.body === undefined) return send(res, st, 200, '', { ...CORS, ...NO_STORE })
          sendJson(res, st, out.status, out.body, { ...CORS, ...NO_STORE })
        } catch (err) {
          sendOAuthError(res, st, err instanceof AppError && err.code === 'PAYLOAD_TOO_LARGE' ? oauthError('OAUTH_INVALID_REQUEST', `The body is larger than ${BODY_LIMIT} bytes.`) : err, log)
        }
      })()
    }, log))
  }
  post('/oauth/token', async (r, body) => ({ status: 200, body: await server.token(formBody(r, body), basicCredentials(r), Date.now()) }))
  post('/oauth/revoke', async (r, body) => {
    await server.revoke(formBody(r, body), basicCredentials(r), Date.now())
    return { status: 200, body: undefined }
  })
  post('/oauth/register', async (r, body) => {
    if (!(r.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) throw oauthError('OAUTH_INVALID_CLIENT_METADATA', 'The registration must be application/json.')
    let meta: Record<string, unknown>
    try {
      meta = parseJsonObject(body, 'The registration must be a JSON object.')
    } catch {
      throw oauthError('OAUTH_INVALID_CLIENT_METADATA', 'The registration must be a JSON object.')
    }
    const now = Date.now()
    const { client, secret } = clients.register(meta, now)
    return {
      status: 201,
      body: {
        client_id: client.clientId,
        client_id_issued_at: Math.floor(now / 1000),
        ...(secret ? { client_secret: secret, client_secret_expires_at: 0 } : {}),
        client_name: client.name,
        redirect_uris: client.redirectUris,
        token_endpoint_auth_method: client.authMethod,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        ...(client.clientUri ? { client_uri: client.clientUri } : {})
      }
    }
  })
}

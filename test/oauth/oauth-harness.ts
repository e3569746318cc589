// What the OAuth tests share: a server with OAuth on at a known public URL, PKCE pairs, form posts, a
// loopback redirect target that records what comes back, a loopback https server for client ID metadata
// documents (the emulator's certificate, which the server process trusts), and a grant made through the
// consent API with the admin token, for tests that are not about the page.
import { createHash, randomBytes } from 'node:crypto'
import { createServer as createHttp, type Server } from 'node:http'
import { createServer as createHttps } from 'node:https'
import { readFileSync } from 'node:fs'
import { createServer as createNet, type AddressInfo } from 'node:net'
import assert from 'node:assert/strict'
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js'

export const ADMIN = 'oauth-admin-token'
export const STATIC = 'oauth-static-token'
const TLS = { cert: readFileSync(new URL('../../../test/fixtures/emulator-tls/cert.pem', import.meta.url)), key: readFileSync(new URL('../../../test/fixtures/emulator-tls/key.pem', import.meta.url)) }

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createNet().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo
      s.close(() => resolve(port))
    })
  })
}

/** a server with OAuth on, PUBLIC_BASE_URL naming the port it listens on */
export async function startOAuthServer(env: Record<string, string> = {}, dataDir?: string): Promise<ServerProcess> {
  const port = await freePort()
  return startServerProcess(undefined, { WA_WS_URL: 'ws://127.0.0.1:9/ws', PORT: String(port), PUBLIC_BASE_URL: `http://127.0.0.1:${port}`, OAUTH_ENABLED: 'true', ADMIN_TOKEN: ADMIN, MCP_AUTH_TOKEN: STATIC, ...env }, dataDir)
}

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url')
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') }
}

export async function postForm(url: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(form).toString() })
  const text = await res.text()
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: res.headers }
}

export async function register(s: ServerProcess, meta: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${s.url}/oauth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(meta) })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

/** a loopback redirect target: every request's URL is kept, and the next one can be awaited */
export async function callbackServer(): Promise<{ uri: string; next(): Promise<URL>; close(): void }> {
  const waiting: Array<(u: URL) => void> = []
  const seen: URL[] = []
  const srv: Server = createHttp((req, res) => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1')
    res.end('OK. You can close this page.')
    // the browser also asks for /favicon.ico
    if (u.pathname !== '/callback') return
    const w = waiting.shift()
    if (w) w(u)
    else seen.push(u)
  })
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  const { port } = srv.address() as AddressInfo
  return { uri: `http://127.0.0.1:${port}/callback`, next: () => (seen.length ? Promise.resolve(seen.shift()!) : new Promise((r) => waiting.push(r))), close: () => srv.close() }
}

/** https on 127.0.0.1 serving client ID metadata documents by path */
export async function documentServer(): Promise<{ base: string; docs: Map<string, unknown>; close(): void }> {
  const docs = new Map<string, unknown>()
  const srv = createHttps(TLS, (req, res) => {
    const d = docs.get(req.url ?? '')
    res.writeHead(d === undefined ? 404 : 200, { 'content-type': 'application/json' })
    res.end(d === undefined ? '{}' : JSON.stringify(d))
  })
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  const { port } = srv.address() as AddressInfo
  return { base: `https://127.0.0.1:${port}`, docs, close: () => srv.close() }
}

export function authorizeUrl(s: ServerProcess, p: Record<string, string>): string {
  return `${s.url}/oauth/authorize?${new URLSearchParams({ response_type: 'code', code_challenge_method: 'S256', resource: `${s.url}/mcp`, ...p })}`
}

/**
 * Runs an authorization request up to its code without a browser: the consent decision goes to the
 * consent API with the admin token as a bearer (what the page does with its sign-in cookie).
 */
export async function codeByApi(s: ServerProcess, p: { clientId: string; redirectUri: string; challenge: string; state?: string }, grant: Record<string, unknown> = { approve: true, toolsets: ['read'], chats: { mode: 'all' } }): Promise<URL> {
  const res = await fetch(authorizeUrl(s, { client_id: p.clientId, redirect_uri: p.redirectUri, code_challenge: p.challenge, state: p.state ?? 'st' }), { redirect: 'manual' })
  assert.equal(res.status, 302, await res.text())
  const consent = new URL(res.headers.get('location')!, s.url)
  assert.equal(consent.pathname, '/admin/consent.html')
  const id = consent.searchParams.get('request')!
  const decided = await fetch(`${s.url}/api/oauth/requests/${id}`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify(grant) })
  assert.equal(decided.status, 200)
  return new URL(((await decided.json()) as { redirect: string }).redirect)
}

/** a public client registered by DCR, a code for it, and the tokens the code buys */
export async function tokensByApi(s: ServerProcess, redirectUri = 'http://127.0.0.1:9/cb'): Promise<{ clientId: string; access: string; refresh: string }> {
  const reg = await register(s, { client_name: 'Helper client', redirect_uris: [redirectUri], token_endpoint_auth_method: 'none' })
  const clientId = reg.body.client_id as string
  const { verifier, challenge } = pkce()
  const back = await codeByApi(s, { clientId, redirectUri, challenge })
  const t = await postForm(`${s.url}/oauth/token`, { grant_type: 'authorization_code', code: back.searchParams.get('code')!, redirect_uri: redirectUri, code_verifier: verifier, client_id: clientId, resource: `${s.url}/mcp` })
  assert.equal(t.status, 200, JSON.stringify(t.body))
  return { clientId, access: t.body.access_token as string, refresh: t.body.refresh_token as string }
}

/** POST /mcp initialize with a bearer token: the status and the challenge */
export async function mcpStatus(s: ServerProcess, token: string | undefined): Promise<{ status: number; challenge: string | null; body: Record<string, unknown> }> {
  const res = await fetch(`${s.url}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } } })
  })
  const text = await res.text()
  let body: Record<string, unknown> = {}
  try {
    body = JSON.parse(text) as Record<string, unknown>
  } catch {
    // an SSE answer: the status is what matters here
  }
  return { status: res.status, challenge: res.headers.get('www-authenticate'), body }
}

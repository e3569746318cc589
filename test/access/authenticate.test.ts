// The bearer chain at /mcp against a real server: every kind of bad token (missing, wrong scheme, unknown,
// malformed credential, expired, revoked, another credential's session) is a 401 or 403 with the
// registry's code and an RFC 6750 challenge, in both eras, and no token ever reaches the log. A broken
// MCP_CREDENTIALS stops the start with one line that does not repeat the value.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js'

const STATIC = 'static-token-authenticate-test-0123456789'
const ADMIN = 'admin-token-authenticate-test-0123456789'
const ENV_OK = 'wms_envtokenthatisfineandlongenough_0123'
const ENV_EXPIRED = 'wms_envtokenthatexpiredlongago_0123456789'
let server: ServerProcess
let revoked: string
let expiring: string

const INIT = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } } }
const LIST_2026 = { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientInfo': { name: 't', version: '1' }, 'io.modelcontextprotocol/clientCapabilities': {} } } }

async function post(authorization: string | undefined, body: unknown, extra: Record<string, string> = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...extra }
  if (authorization !== undefined) headers.authorization = authorization
  const r = await fetch(`${server.url}/mcp`, { method: 'POST', headers, body: JSON.stringify(body) })
  const text = await r.text()
  return { status: r.status, challenge: r.headers.get('www-authenticate'), body: text ? (JSON.parse(text) as Record<string, any>) : {}, sid: r.headers.get('mcp-session-id') }
}

const adminApi = async (method: string, path: string, body?: unknown) => {
  const r = await fetch(`${server.url}${path}`, { method, headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })
  return (await r.json()) as Record<string, any>
}

before(async () => {
  const env = JSON.stringify([
    { name: 'automation', token: ENV_OK, toolsets: ['read'], chats: 'all' },
    { name: 'old', token: ENV_EXPIRED, toolsets: ['read'], expires_at: '2020-01-01T00:00:00Z' }
  ])
  server = await startServerProcess(undefined, { MCP_AUTH_TOKEN: STATIC, ADMIN_TOKEN: ADMIN, MCP_CREDENTIALS: env })
  const r = await adminApi('POST', '/api/credentials', { name: 'to revoke', toolsets: ['read'] })
  revoked = r.token
  await adminApi('DELETE', `/api/credentials/${r.credential.id}`)
  expiring = (await adminApi('POST', '/api/credentials', { name: 'short lived', toolsets: ['read'], expires_at: Date.now() + 1500 })).token
  await new Promise((res) => setTimeout(res, 1600))
})

after(async () => {
  await server?.stop()
})

test('every bad token is a 401 with its code and a challenge, in both eras', async () => {
  const cases: Array<[string, string | undefined, string, boolean]> = [
    ['no header', undefined, 'UNAUTHORIZED', false],
    ['empty bearer', 'Bearer ', 'UNAUTHORIZED', false],
    ['another scheme', `Basic ${Buffer.from('a:b').toString('base64')}`, 'UNAUTHORIZED', false],
    ['a wrong static token', 'Bearer not-the-token', 'UNAUTHORIZED', true],
    ['a credential too short', 'Bearer wms_short', 'CREDENTIAL_INVALID', true],
    ['a credential with bad characters', 'Bearer wms_!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!', 'CREDENTIAL_INVALID', true],
    ['an unknown credential', `Bearer wms_${'A'.repeat(43)}`, 'CREDENTIAL_INVALID', true],
    ['a revoked credential', `Bearer ${'REVOKED'}`, 'CREDENTIAL_REVOKED', true],
    ['an expired credential', `Bearer ${'EXPIRING'}`, 'CREDENTIAL_EXPIRED', true],
    ['an expired MCP_CREDENTIALS token', `Bearer ${ENV_EXPIRED}`, 'CREDENTIAL_EXPIRED', true]
  ]
  for (const [what, header0, code, given] of cases) {
    const header = header0?.replace('REVOKED', revoked).replace('EXPIRING', expiring)
    for (const [era, body, extra] of [['2025', INIT, {}], ['2026', LIST_2026, { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/list' }]] as const) {
      const r = await post(header, body, extra)
      assert.equal(r.status, 401, `${what} (${era})`)
      assert.equal(r.body.error?.data?.code, code, `${what} (${era})`)
      assert.match(r.challenge ?? '', /^Bearer realm="mcp"/, `${what} (${era})`)
      assert.equal(/error="invalid_token"/.test(r.challenge ?? ''), given, `${what} (${era}): ${r.challenge}`)
    }
  }
})

test('the static token, a credential and an MCP_CREDENTIALS token are let in; a session refuses another token with 403', async () => {
  for (const token of [STATIC, ENV_OK]) assert.equal((await post(`Bearer ${token}`, INIT)).status, 200, token.slice(0, 6))
  const opened = await post(`Bearer ${ENV_OK}`, INIT)
  for (const other of [STATIC, ENV_OK.replace(/0123$/, '0124')]) {
    const r = await post(`Bearer ${other}`, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, { 'mcp-session-id': opened.sid!, 'mcp-protocol-version': '2025-11-25' })
    assert.ok(r.status === 403 || r.status === 401, String(r.status))
    if (r.status === 403) {
      assert.equal(r.body.error.data.code, 'MCP_SESSION_FORBIDDEN')
      assert.match(r.challenge ?? '', /insufficient_scope/)
    }
  }
  const mine = await post(`Bearer ${ENV_OK}`, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, { 'mcp-session-id': opened.sid!, 'mcp-protocol-version': '2025-11-25' })
  assert.equal(mine.status, 200)
  assert.equal(mine.body.result.tools.length, 22)
  const list = (await adminApi('GET', '/api/credentials')).credentials as Array<{ name: string; source: string }>
  assert.deepEqual(list.filter((c) => c.source === 'env').map((c) => c.name).sort(), ['automation', 'old'])
})

test('no token, static, credential or environment, reaches the log', () => {
  const all = server.lines.join('\n')
  for (const t of [STATIC, ADMIN, ENV_OK, ENV_EXPIRED, revoked, expiring]) assert.ok(!all.includes(t), `${t.slice(0, 8)}… in the log`)
})

test('a broken MCP_CREDENTIALS stops the start with one clear line that does not repeat it', () => {
  const secret = 'wms_thisonemustnotbeprinted_0123456789'
  const cases = [`[{"name":"x","token":"${secret}"`, `[{"name":"x","token":"${secret}","toolsets":["everything"]}]`, `{"token":"${secret}"}`]
  for (const value of cases) {
    const r = spawnSync(process.execPath, [new URL('../../src/main.js', import.meta.url).pathname], { env: { PATH: process.env.PATH, PORT: '0', DATA_DIR: mkdtempSync(join(tmpdir(), 'wams-cred-')), MCP_CREDENTIALS: value }, encoding: 'utf8', timeout: 20_000 })
    assert.notEqual(r.status, 0, value)
    const out = `${r.stdout}${r.stderr}`
    assert.match(out, /CREDENTIALS_INVALID|MCP_CREDENTIALS/, value)
    assert.ok(!out.includes(secret), `the token was printed: ${out.slice(0, 300)}`)
  }
})

test('the chain asks a further verifier (OAuth) after the static token and the credentials, and judges its expiry', async () => {
  const { Authenticator } = await import('../../src/access/authenticate.js')
  const { OPEN_PRINCIPAL } = await import('../../src/access/principal.js')
  const now = 1_000_000
  const grant = { id: 'oauth:g1', kind: 'oauth' as const, name: 'client', toolsets: new Set(['read' as const]), chats: { mode: 'all' as const }, expiresAt: now + 10 }
  const verifiers = [{ verify: (t: string) => (t === 'oauth-live' ? grant : t === 'oauth-old' ? { ...grant, expiresAt: now - 1 } : undefined) }]
  const open = new Authenticator({ staticTokens: [], verifiers: [], now: () => now })
  assert.deepEqual(open.authenticate(undefined), { principal: OPEN_PRINCIPAL })
  // the array is kept: a verifier pushed onto it after start (as the HTTP front does with OAuth's) counts
  const later: typeof verifiers = []
  const chain = new Authenticator({ staticTokens: [], verifiers: later, now: () => now })
  assert.equal(chain.enabled, false)
  later.push(verifiers[0]!)
  assert.equal(chain.enabled, true, 'a verifier added later turns auth on')
  const rows: Array<[string, string | undefined, string]> = [
    ['a live grant', 'Bearer oauth-live', 'oauth:g1'],
    ['an expired grant', 'Bearer oauth-old', 'CREDENTIAL_EXPIRED'],
    ['a token nobody knows', 'Bearer nobody', 'UNAUTHORIZED'],
    ['no token', undefined, 'UNAUTHORIZED']
  ]
  for (const [what, header, want] of rows) {
    const o = chain.authenticate(header)
    assert.equal('principal' in o ? o.principal.id : o.refused.code, want, what)
  }
})

// Issue 20, OAuth bad input, table by table against the real server with the SSRF rules on: tokens /mcp
// must refuse, faults at the token endpoint, the authorization endpoint (no redirect when the client or
// its redirect URI cannot be trusted, a redirect carrying the error otherwise), registration, the consent
// API, and client metadata documents at private addresses. Each answer in its protocol's own form.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ServerProcess } from '../helpers/server-process.js'
import { ADMIN, authorizeUrl, codeByApi, documentServer, mcpStatus, pkce, postForm, register, startOAuthServer, tokensByApi } from './oauth-harness.js'

let s: ServerProcess
let docs: Awaited<ReturnType<typeof documentServer>>
const REDIRECT = 'http://127.0.0.1:9/cb'

before(async () => {
  s = await startOAuthServer()
  docs = await documentServer()
})

after(async () => {
  docs?.close()
  await s?.stop()
})

test('/mcp refuses every token that is not a live one of its own with 401, invalid_token and the metadata URL', async () => {
  const t = await tokensByApi(s)
  const revoked = await tokensByApi(s)
  assert.equal((await postForm(`${s.url}/oauth/revoke`, { token: revoked.access, client_id: revoked.clientId })).status, 200)
  const rows: Array<[string, string]> = [
    ['garbage', 'garbage'],
    ['the right prefix, too short', 'wao_short'],
    ['well-formed but never issued', `wao_${'A'.repeat(43)}`],
    ['a live token with a character added', `${t.access}x`],
    ['a live token with its last character changed', `${t.access.slice(0, -1)}${t.access.endsWith('A') ? 'B' : 'A'}`],
    ['a refresh token', t.refresh],
    ['a revoked access token', revoked.access],
    ['the admin token', ADMIN]
  ]
  for (const [what, token] of rows) {
    const r = await mcpStatus(s, token)
    assert.equal(r.status, 401, what)
    assert.match(r.challenge ?? '', /^Bearer realm="mcp", resource_metadata="http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource\/mcp", error="invalid_token"/, what)
    assert.equal(((r.body.error as { data: { code: string } }).data).code, 'OAUTH_TOKEN_INVALID', what)
  }
  const none = await mcpStatus(s, undefined)
  assert.equal(none.status, 401)
  assert.doesNotMatch(none.challenge ?? '', /error=/, 'no token, no error parameter (RFC 6750 §3.1)')
  // the revoked grant's sibling and the live one are unaffected
  assert.equal((await mcpStatus(s, t.access)).status, 200)
})

test('an access token is refused once expired, and a token is bound to the resource it was issued for', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wams-oauth-'))
  // no MCP_AUTH_TOKEN here: with OAuth on, /mcp still needs a token
  const short = await startOAuthServer({ OAUTH_ACCESS_TOKEN_TTL_MS: '1000', MCP_AUTH_TOKEN: '' }, dir)
  try {
    assert.equal((await mcpStatus(short, undefined)).status, 401, 'OAuth on, no static token: /mcp is not open')
    const t = await tokensByApi(short)
    assert.equal((await mcpStatus(short, t.access)).status, 200)
    const fresh = await postForm(`${short.url}/oauth/token`, { grant_type: 'refresh_token', refresh_token: t.refresh, client_id: t.clientId })
    await new Promise((r) => setTimeout(r, 1100))
    const expired = await mcpStatus(short, t.access)
    assert.equal(expired.status, 401)
    assert.match(expired.challenge ?? '', /error="invalid_token"/)
    // the refresh token outlives the access token
    assert.equal(fresh.status, 200)
    const again = await postForm(`${short.url}/oauth/token`, { grant_type: 'refresh_token', refresh_token: fresh.body.refresh_token as string, client_id: t.clientId })
    assert.equal(again.status, 200)
  } finally {
    await short.stop()
  }
  // the same data under another public URL: the audience no longer matches, so a live token issued before is refused
  const first = await startOAuthServer({}, dir)
  const t = await tokensByApi(first)
  assert.equal((await mcpStatus(first, t.access)).status, 200)
  await first.stop()
  const moved = await startOAuthServer({}, dir)
  try {
    assert.notEqual(moved.url, first.url)
    assert.equal((await mcpStatus(moved, t.access)).status, 401, 'a token for another resource')
    const refused = await postForm(`${moved.url}/oauth/token`, { grant_type: 'refresh_token', refresh_token: t.refresh, client_id: t.clientId, resource: `${first.url}/mcp` })
    assert.equal(refused.body.error, 'invalid_target')
  } finally {
    await moved.stop()
  }
})

test('the token endpoint answers each fault with its RFC 6749 §5.2 error', async () => {
  const reg = await register(s, { client_name: 'T', redirect_uris: [REDIRECT, 'http://127.0.0.1:9/other'], token_endpoint_auth_method: 'none' })
  const clientId = reg.body.client_id as string
  const other = (await register(s, { client_name: 'Other', redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' })).body.client_id as string
  const fresh = async () => {
    const p = pkce()
    const back = await codeByApi(s, { clientId, redirectUri: REDIRECT, challenge: p.challenge })
    return { code: back.searchParams.get('code')!, verifier: p.verifier }
  }
  const base = (c: { code: string; verifier: string }) => ({ grant_type: 'authorization_code', code: c.code, redirect_uri: REDIRECT, code_verifier: c.verifier, client_id: clientId })
  const rows: Array<{ what: string; form: (c: { code: string; verifier: string }) => Record<string, string>; status: number; error: string; contentType?: string }> = [
    { what: 'a PKCE verifier that does not match', form: (c) => ({ ...base(c), code_verifier: pkce().verifier }), status: 400, error: 'invalid_grant' },
    { what: 'a verifier too short to be one', form: (c) => ({ ...base(c), code_verifier: 'abc' }), status: 400, error: 'invalid_grant' },
    { what: 'no verifier', form: (c) => { const f = base(c) as Record<string, string>; delete f.code_verifier; return f }, status: 400, error: 'invalid_request' },
    { what: 'another redirect_uri than the request had', form: (c) => ({ ...base(c), redirect_uri: 'http://127.0.0.1:9/other' }), status: 400, error: 'invalid_grant' },
    { what: 'a code issued to another client', form: (c) => ({ ...base(c), client_id: other }), status: 400, error: 'invalid_grant' },
    { what: 'an unknown client', form: (c) => ({ ...base(c), client_id: 'wac_nobody' }), status: 401, error: 'invalid_client' },
    { what: 'no client at all', form: (c) => { const f = base(c) as Record<string, string>; delete f.client_id; return f }, status: 401, error: 'invalid_client' },
    { what: 'a code that was never issued', form: (c) => ({ ...base(c), code: 'made-up' }), status: 400, error: 'invalid_grant' },
    { what: 'a resource other than /mcp', form: (c) => ({ ...base(c), resource: 'https://elsewhere.example/mcp' }), status: 400, error: 'invalid_target' },
    { what: 'the password grant', form: (c) => ({ ...base(c), grant_type: 'password' }), status: 400, error: 'unsupported_grant_type' },
    { what: 'no grant_type', form: (c) => { const f = base(c) as Record<string, string>; delete f.grant_type; return f }, status: 400, error: 'invalid_request' }
  ]
  for (const row of rows) {
    const c = await fresh()
    const r = await postForm(`${s.url}/oauth/token`, row.form(c))
    assert.equal(r.status, row.status, `${row.what}: ${JSON.stringify(r.body)}`)
    assert.equal(r.body.error, row.error, row.what)
    assert.equal(typeof r.body.error_description, 'string', row.what)
    assert.equal(r.headers.get('cache-control'), 'no-store', row.what)
    assert.equal(r.body.access_token, undefined, row.what)
  }
  // a code is used once: the second exchange fails, whatever the first did
  const c = await fresh()
  assert.equal((await postForm(`${s.url}/oauth/token`, base(c))).status, 200)
  assert.equal((await postForm(`${s.url}/oauth/token`, base(c))).body.error, 'invalid_grant')
  // a failed verifier burns the code: the right verifier afterwards gets nothing
  const burnt = await fresh()
  await postForm(`${s.url}/oauth/token`, { ...base(burnt), code_verifier: pkce().verifier })
  assert.equal((await postForm(`${s.url}/oauth/token`, base(burnt))).body.error, 'invalid_grant')
  // a repeated parameter, and a body that is not a form
  const rep = await fetch(`${s.url}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `grant_type=authorization_code&code=a&code=b&code_verifier=${pkce().verifier}&client_id=${clientId}` })
  assert.equal(((await rep.json()) as { error: string }).error, 'invalid_request')
  const json = await fetch(`${s.url}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(base(await fresh())) })
  assert.equal(json.status, 400)
  assert.equal(((await json.json()) as { error: string }).error, 'invalid_request')
})

test('a refresh token is rotated, and replaying a used one revokes the whole grant', async () => {
  const t = await tokensByApi(s)
  const r1 = await postForm(`${s.url}/oauth/token`, { grant_type: 'refresh_token', refresh_token: t.refresh, client_id: t.clientId })
  assert.equal(r1.status, 200)
  const replay = await postForm(`${s.url}/oauth/token`, { grant_type: 'refresh_token', refresh_token: t.refresh, client_id: t.clientId })
  assert.equal(replay.status, 400)
  assert.equal(replay.body.error, 'invalid_grant')
  // everything of the grant is dead now, the rotated pair included
  assert.equal((await postForm(`${s.url}/oauth/token`, { grant_type: 'refresh_token', refresh_token: r1.body.refresh_token as string, client_id: t.clientId })).body.error, 'invalid_grant')
  assert.equal((await mcpStatus(s, r1.body.access_token as string)).status, 401)
  assert.equal((await mcpStatus(s, t.access)).status, 401)
  // another client cannot refresh (nor revoke) someone else's token
  const u = await tokensByApi(s)
  const v = await tokensByApi(s)
  assert.equal((await postForm(`${s.url}/oauth/revoke`, { token: u.access, client_id: v.clientId })).status, 200)
  assert.equal((await mcpStatus(s, u.access)).status, 200, "a foreign client's revocation is a no-op")
  assert.equal((await postForm(`${s.url}/oauth/token`, { grant_type: 'refresh_token', refresh_token: u.refresh, client_id: v.clientId })).body.error, 'invalid_grant')
})

test('a confidential client authenticates with its secret; a wrong or missing one is invalid_client with a Basic challenge', async () => {
  const reg = await register(s, { client_name: 'Conf', redirect_uris: [REDIRECT], token_endpoint_auth_method: 'client_secret_basic' })
  assert.equal(reg.status, 201)
  const id = reg.body.client_id as string
  const secret = reg.body.client_secret as string
  assert.ok(secret)
  const basic = (sec: string) => ({ authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(sec)}`).toString('base64')}` })
  const exchange = async (headers: Record<string, string>, extra: Record<string, string> = {}) => {
    const p = pkce()
    const back = await codeByApi(s, { clientId: id, redirectUri: REDIRECT, challenge: p.challenge })
    return postForm(`${s.url}/oauth/token`, { grant_type: 'authorization_code', code: back.searchParams.get('code')!, redirect_uri: REDIRECT, code_verifier: p.verifier, ...extra }, headers)
  }
  for (const [what, headers, extra] of [
    ['a wrong secret', basic('wrong'), {}],
    ['no secret at all', {}, { client_id: id }],
    ['the secret in the body instead of Basic', {}, { client_id: id, client_secret: secret }],
    ['a malformed Basic header', { authorization: 'Basic %%%' }, {}]
  ] as Array<[string, Record<string, string>, Record<string, string>]>) {
    const r = await exchange(headers, extra)
    assert.equal(r.status, 401, what)
    assert.equal(r.body.error, 'invalid_client', what)
    assert.match(r.headers.get('www-authenticate') ?? '', /^Basic/, what)
  }
  assert.equal((await exchange(basic(secret))).status, 200)
  assert.equal(s.lines.join('\n').includes(secret), false, 'the secret is not logged')
})

test('the authorization endpoint never redirects to an unknown client or an unregistered redirect URI; it says so on a page', async () => {
  const clientId = (await register(s, { client_name: 'A', redirect_uris: [REDIRECT] })).body.client_id as string
  const { challenge } = pkce()
  const rows: Array<[string, Record<string, string>, string]> = [
    ['an unknown client', { client_id: 'wac_nobody', redirect_uri: REDIRECT }, 'invalid_client'],
    ['no client_id', { redirect_uri: REDIRECT }, 'invalid_request'],
    ['a redirect URI the client did not register', { client_id: clientId, redirect_uri: 'https://evil.example/cb' }, 'invalid_redirect_uri'],
    ['a registered loopback URI with another path', { client_id: clientId, redirect_uri: 'http://127.0.0.1:9/cb/../evil' }, 'invalid_redirect_uri'],
    ['a registered URI with a query added', { client_id: clientId, redirect_uri: `${REDIRECT}?x=1` }, 'invalid_redirect_uri'],
    ['a client metadata URL over plain http', { client_id: 'http://example.com/client.json', redirect_uri: REDIRECT }, 'invalid_client']
  ]
  for (const [what, p, error] of rows) {
    // a browser gets a page
    const res = await fetch(authorizeUrl(s, { code_challenge: challenge, state: 's', ...p }), { redirect: 'manual', headers: { accept: 'text/html,application/xhtml+xml' } })
    assert.equal(res.status, 400, what)
    assert.equal(res.headers.get('location'), null, what)
    assert.match(res.headers.get('content-type') ?? '', /text\/html/, what)
    assert.match(await res.text(), new RegExp(`data-error="${error}"`), what)
    // anything else the stable error body, with the OAuth error value
    const api = await fetch(authorizeUrl(s, { code_challenge: challenge, state: 's', ...p }), { redirect: 'manual' })
    assert.equal(api.headers.get('location'), null, what)
    const body = (await api.json()) as { error: { code: string; data: { error: string } } }
    assert.equal(body.error.data.error, error, what)
    assert.match(body.error.code, /^OAUTH_/, what)
  }
})

test('after the client and redirect URI are known, faults go back to the client as error parameters with its state', async () => {
  const clientId = (await register(s, { client_name: 'B', redirect_uris: [REDIRECT] })).body.client_id as string
  const { challenge } = pkce()
  const ok = { client_id: clientId, redirect_uri: REDIRECT, code_challenge: challenge, state: 'st-1' }
  const rows: Array<[string, Record<string, string>, string]> = [
    ['no code_challenge', { code_challenge: '' }, 'invalid_request'],
    ['the plain PKCE method', { code_challenge_method: 'plain' }, 'invalid_request'],
    ['a challenge that is not a SHA-256', { code_challenge: 'short' }, 'invalid_request'],
    ['the implicit grant', { response_type: 'token' }, 'unsupported_response_type'],
    ['a token for another resource', { resource: 'https://elsewhere.example/mcp' }, 'invalid_target'],
    ['a scope this server does not have', { scope: 'read everything' }, 'invalid_scope']
  ]
  for (const [what, p, error] of rows) {
    const res = await fetch(authorizeUrl(s, { ...ok, ...p }), { redirect: 'manual' })
    assert.equal(res.status, 302, what)
    const back = new URL(res.headers.get('location')!)
    assert.equal(`${back.origin}${back.pathname}`, REDIRECT, what)
    assert.equal(back.searchParams.get('error'), error, what)
    assert.equal(back.searchParams.get('state'), 'st-1', what)
    assert.equal(back.searchParams.get('code'), null, what)
  }
})

test('a client metadata document at a loopback, private or otherwise non-public address is refused before any connection (SSRF rules)', async () => {
  const port = new URL(docs.base).port
  // a valid document really is served on 127.0.0.1: only the guard stands between the server and it
  const hosts = [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `127.1:${port}`, `2130706433:${port}`, `0x7f.1:${port}`, `[::ffff:127.0.0.1]:${port}`, '10.0.0.1', '192.168.1.1', '169.254.169.254', '[fe80::1]', '100.64.0.1', 'app.localhost']
  for (const host of hosts) {
    const clientId = `https://${host}/clients/c.json`
    docs.docs.set('/clients/c.json', { client_id: clientId, client_name: 'Sneaky', redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' })
    const res = await fetch(authorizeUrl(s, { client_id: clientId, redirect_uri: REDIRECT, code_challenge: pkce().challenge }), { redirect: 'manual', headers: { accept: 'text/html' } })
    assert.equal(res.status, 400, host)
    const page = await res.text()
    assert.match(page, /data-error="invalid_client"/, host)
    assert.match(page, /not a public address/, host)
  }
})

test('registration refuses bad client metadata with RFC 7591 errors', async () => {
  const rows: Array<[string, unknown, string]> = [
    ['no redirect_uris', { client_name: 'x' }, 'invalid_redirect_uri'],
    ['an http redirect that is not loopback', { redirect_uris: ['http://example.com/cb'] }, 'invalid_redirect_uri'],
    ['a javascript: redirect', { redirect_uris: ['javascript:alert(1)'] }, 'invalid_redirect_uri'],
    ['a data: redirect', { redirect_uris: ['data:text/html,hi'] }, 'invalid_redirect_uri'],
    ['a redirect with a fragment', { redirect_uris: ['https://a.example/cb#x'] }, 'invalid_redirect_uri'],
    ['a generic custom scheme', { redirect_uris: ['myapp:/cb'] }, 'invalid_redirect_uri'],
    ['eleven redirects', { redirect_uris: Array.from({ length: 11 }, (_, i) => `https://a.example/${i}`) }, 'invalid_redirect_uri'],
    ['private_key_jwt', { redirect_uris: [REDIRECT], token_endpoint_auth_method: 'private_key_jwt' }, 'invalid_client_metadata'],
    ['the client_credentials grant', { redirect_uris: [REDIRECT], grant_types: ['client_credentials'] }, 'invalid_client_metadata'],
    ['a name of 1000 characters', { redirect_uris: [REDIRECT], client_name: 'n'.repeat(1000) }, 'invalid_client_metadata'],
    ['a JSON array', [REDIRECT], 'invalid_client_metadata']
  ]
  for (const [what, body, error] of rows) {
    const r = await register(s, body as Record<string, unknown>)
    assert.equal(r.status, 400, what)
    assert.equal(r.body.error, error, what)
  }
  const notJson = await fetch(`${s.url}/oauth/register`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi' })
  assert.equal(((await notJson.json()) as { error: string }).error, 'invalid_client_metadata')
  const broken = await fetch(`${s.url}/oauth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"redirect_uris": [' })
  assert.equal(((await broken.json()) as { error: string }).error, 'invalid_client_metadata')
})

test('the consent decision needs the sign-in, comes from the same origin, is taken once, and may only narrow the request', async () => {
  const clientId = (await register(s, { client_name: 'C', redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' })).body.client_id as string
  let verifier = ''
  const start = async (scope?: string) => {
    const p = pkce()
    verifier = p.verifier
    const res = await fetch(authorizeUrl(s, { client_id: clientId, redirect_uri: REDIRECT, code_challenge: p.challenge, state: 'q', ...(scope ? { scope } : {}) }), { redirect: 'manual' })
    return new URL(res.headers.get('location')!, s.url).searchParams.get('request')!
  }
  const decide = (id: string, body: unknown, headers: Record<string, string> = { authorization: `Bearer ${ADMIN}` }) =>
    fetch(`${s.url}/api/oauth/requests/${id}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })
  const id = await start('read')
  assert.equal((await decide(id, { approve: true, toolsets: ['read'] }, {})).status, 401, 'no sign-in')
  const cross = await decide(id, { approve: true, toolsets: ['read'] }, { authorization: `Bearer ${ADMIN}`, origin: 'https://evil.example' })
  assert.equal(cross.status, 403)
  assert.equal(((await cross.json()) as { error: { code: string } }).error.code, 'ORIGIN_FORBIDDEN')
  const wider = await decide(id, { approve: true, toolsets: ['read', 'send'] })
  assert.equal(wider.status, 400, 'more than the client asked for')
  assert.equal(((await wider.json()) as { error: { code: string } }).error.code, 'INVALID_INPUT')
  const badChats = await decide(id, { approve: true, toolsets: ['read'], chats: { mode: 'allow', jids: ['not a jid'] } })
  assert.equal(((await badChats.json()) as { error: { code: string } }).error.code, 'WA_JID_INVALID')
  const shown = await fetch(`${s.url}/api/oauth/requests/${id}`, { headers: { authorization: `Bearer ${ADMIN}` } })
  assert.deepEqual(((await shown.json()) as { toolsets: string[] }).toolsets, ['read'])
  const granted = await decide(id, { approve: true, toolsets: ['read'], chats: { mode: 'allow', jids: ['+44 7700 900123'] } })
  assert.equal(granted.status, 200)
  const again = await decide(id, { approve: true, toolsets: ['read'] })
  assert.equal(again.status, 404)
  assert.equal(((await again.json()) as { error: { code: string } }).error.code, 'OAUTH_REQUEST_NOT_FOUND')
  // the grant (made when the code is exchanged) records the chats picked, as JIDs; the admin can revoke it, once
  const code = new URL(((await granted.json()) as { redirect: string }).redirect).searchParams.get('code')!
  const t = await postForm(`${s.url}/oauth/token`, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier, client_id: clientId })
  assert.equal(t.status, 200)
  const list = (await (await fetch(`${s.url}/api/oauth/grants`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as { grants: Array<{ id: string; client_id: string; chats: unknown }> }
  const g = list.grants.find((x) => x.client_id === clientId)!
  assert.deepEqual(g.chats, { mode: 'allow', jids: ['447700900123@s.whatsapp.net'] })
  const del = (id: string) => fetch(`${s.url}/api/oauth/grants/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${ADMIN}` } })
  assert.equal((await fetch(`${s.url}/api/oauth/grants`)).status, 401, 'the list needs the sign-in')
  assert.equal((await mcpStatus(s, t.body.access_token as string)).status, 200)
  assert.equal((await del(g.id)).status, 200)
  assert.equal((await mcpStatus(s, t.body.access_token as string)).status, 401, 'revoked by the admin')
  assert.equal((await del(g.id)).status, 404)
  const denied = await decide(await start(), { approve: false })
  const back = new URL(((await denied.json()) as { redirect: string }).redirect)
  assert.equal(back.searchParams.get('error'), 'access_denied')
  assert.equal(back.searchParams.get('state'), 'q')
  assert.equal(back.searchParams.get('code'), null)
})

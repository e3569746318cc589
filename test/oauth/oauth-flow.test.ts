// Issue 20, OAuth 2.1 for remote MCP clients, end to end against the real server: discovery from the 401,
// registration both ways (RFC 7591 and a client ID metadata document on a loopback https server), the
// consent page in headless Chromium, the PKCE code exchange, tool calls through the MCP SDK client with
// the access token, refresh, revocation, and the static MCP_AUTH_TOKEN still accepted. Then the SDK's own
// OAuth client (OAuthClientProvider) drives the flow, once by DCR and once by a metadata document.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import type { Browser, Page } from 'playwright-core'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { UnauthorizedError, type OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js'
import type { OAuthClientInformationMixed, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js'
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client'
import { launchBrowser } from '../helpers/browser.js'
import type { ServerProcess } from '../helpers/server-process.js'
import { ADMIN, STATIC, callbackServer, documentServer, mcpStatus, pkce, postForm, register, startOAuthServer, authorizeUrl } from './oauth-harness.js'

let server: ServerProcess
let browser: Browser
let page: Page
let cb: Awaited<ReturnType<typeof callbackServer>>
let docs: Awaited<ReturnType<typeof documentServer>>
/** every secret the flows handed out: none may appear in the server's output */
const secrets: string[] = []

before(async () => {
  server = await startOAuthServer({ OAUTH_CLIENT_METADATA_ALLOW_PRIVATE: 'true' })
  browser = await launchBrowser()
  page = await browser.newPage()
  cb = await callbackServer()
  docs = await documentServer()
})

after(async () => {
  cb?.close()
  docs?.close()
  await browser?.close()
  await server?.stop()
})

/** opens an authorization URL, signs in when asked, checks what the page shows, picks toolsets, approves */
async function consent(url: string, expect: { name: string; toolsets?: string[] }): Promise<URL> {
  const back = cb.next()
  await page.goto(url)
  await page.locator('#signin:visible, #consent:visible').first().waitFor()
  if (await page.locator('#signin').isVisible()) {
    await page.locator('#token').fill(ADMIN)
    await page.locator('#signin-form button[type=submit]').click()
  }
  await page.locator('#consent').waitFor({ state: 'visible' })
  assert.equal(await page.locator('#client-name').textContent(), expect.name)
  assert.equal(await page.locator('#redirect-host').textContent(), new URL(cb.uri).host)
  if (expect.toolsets) {
    for (const box of await page.locator('input.toolset').all()) await box.setChecked(expect.toolsets.includes(await box.getAttribute('value') ?? ''))
  }
  await page.locator('#approve').click()
  return back
}

async function sdkClient(token: string): Promise<Client> {
  const c = new Client({ name: 'oauth-test', version: '1.0.0' })
  await c.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}` } } }))
  return c
}

async function ping(token: string): Promise<void> {
  const c = await sdkClient(token)
  const r = await c.callTool({ name: 'ping', arguments: {} })
  assert.notEqual(r.isError, true, JSON.stringify(r))
  await c.close()
}

test('the whole flow: discovery from the 401, DCR, consent in the browser, PKCE exchange, a tool call, refresh, revocation; the static token still works', async () => {
  // discovery: the 401 names the protected resource metadata, which names the authorization server
  const first = await mcpStatus(server, undefined)
  assert.equal(first.status, 401)
  const prmUrl = /resource_metadata="([^"]+)"/.exec(first.challenge ?? '')?.[1]
  assert.equal(prmUrl, `${server.url}/.well-known/oauth-protected-resource/mcp`)
  const prm = (await (await fetch(prmUrl!)).json()) as { resource: string; authorization_servers: string[]; scopes_supported: string[] }
  assert.equal(prm.resource, `${server.url}/mcp`)
  const issuer = prm.authorization_servers[0]!
  const meta = (await (await fetch(`${issuer}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>
  assert.equal(meta.issuer, issuer)
  assert.deepEqual(meta.code_challenge_methods_supported, ['S256'])
  assert.equal(meta.client_id_metadata_document_supported, true)

  // DCR
  const reg = await register(server, { client_name: 'Remote Agent', redirect_uris: [cb.uri], token_endpoint_auth_method: 'none' })
  assert.equal(reg.status, 201)
  const clientId = reg.body.client_id as string

  // the consent page, with two of the toolsets picked
  const { verifier, challenge } = pkce()
  const back = await consent(authorizeUrl(server, { client_id: clientId, redirect_uri: cb.uri, code_challenge: challenge, state: 'xyz', scope: 'read send groups' }), { name: 'Remote Agent', toolsets: ['read', 'send'] })
  assert.equal(back.searchParams.get('state'), 'xyz')
  assert.equal(back.searchParams.get('iss'), issuer)
  const code = back.searchParams.get('code')!
  secrets.push(code, verifier)

  const t = await postForm(meta.token_endpoint as string, { grant_type: 'authorization_code', code, redirect_uri: cb.uri, code_verifier: verifier, client_id: clientId, resource: prm.resource })
  assert.equal(t.status, 200, JSON.stringify(t.body))
  assert.equal(t.headers.get('cache-control'), 'no-store')
  assert.equal(t.body.token_type, 'Bearer')
  assert.equal(t.body.scope, 'read send')
  const access = t.body.access_token as string
  const refresh = t.body.refresh_token as string
  secrets.push(access, refresh)
  await ping(access)
  // the token holds what was picked: tools/list shows no group tool, and one is refused with its code
  const scoped = await sdkClient(access)
  const names = (await scoped.listTools()).tools.map((x) => x.name)
  assert.ok(names.includes('send_message') && !names.includes('create_group'), names.join())
  const denied = await scoped.callTool({ name: 'create_group', arguments: { subject: 'not granted' } })
  assert.equal(denied.isError, true)
  assert.match(JSON.stringify(denied.content), /TOOL_FORBIDDEN/)
  await scoped.close()
  // the admin sees the grant with what was picked on the page
  const grants = (await (await fetch(`${server.url}/api/oauth/grants`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as { grants: Array<{ client_id: string; client_name: string; toolsets: string[]; chats: unknown; revoked: boolean }> }
  const mine = grants.grants.find((g) => g.client_id === clientId)
  assert.deepEqual(mine && { name: mine.client_name, toolsets: mine.toolsets, chats: mine.chats, revoked: mine.revoked }, { name: 'Remote Agent', toolsets: ['read', 'send'], chats: { mode: 'all' }, revoked: false })

  // refresh: a new pair; the new access token works
  const r = await postForm(meta.token_endpoint as string, { grant_type: 'refresh_token', refresh_token: refresh, client_id: clientId })
  assert.equal(r.status, 200, JSON.stringify(r.body))
  const access2 = r.body.access_token as string
  const refresh2 = r.body.refresh_token as string
  secrets.push(access2, refresh2)
  assert.notEqual(refresh2, refresh)
  await ping(access2)

  // revocation of the refresh token ends the grant: its access tokens are refused from then on
  const rv = await postForm(meta.revocation_endpoint as string, { token: refresh2, token_type_hint: 'refresh_token', client_id: clientId })
  assert.equal(rv.status, 200)
  for (const tok of [access, access2]) {
    const m = await mcpStatus(server, tok)
    assert.equal(m.status, 401)
    assert.match(m.challenge ?? '', /error="invalid_token"/)
  }
  // and the static token is still accepted beside OAuth
  await ping(STATIC)
})

test('a client ID metadata document on a loopback https server registers the client; its name is what the page shows', async () => {
  const clientId = `${docs.base}/clients/agent.json`
  docs.docs.set('/clients/agent.json', { client_id: clientId, client_name: 'Document Agent', redirect_uris: [cb.uri], token_endpoint_auth_method: 'none' })
  const { verifier, challenge } = pkce()
  const back = await consent(authorizeUrl(server, { client_id: clientId, redirect_uri: cb.uri, code_challenge: challenge, state: 's2' }), { name: 'Document Agent' })
  const t = await postForm(`${server.url}/oauth/token`, { grant_type: 'authorization_code', code: back.searchParams.get('code')!, redirect_uri: cb.uri, code_verifier: verifier, client_id: clientId })
  assert.equal(t.status, 200, JSON.stringify(t.body))
  secrets.push(t.body.access_token as string, t.body.refresh_token as string)
  await ping(t.body.access_token as string)
})

/** the SDK's OAuthClientProvider, with the browser as the user agent */
class BrowserProvider implements OAuthClientProvider {
  info: OAuthClientInformationMixed | undefined
  saved: OAuthTokens | undefined
  verifier = ''
  authUrl: URL | undefined
  constructor(readonly clientMetadataUrl?: string) {}
  get redirectUrl(): string {
    return cb.uri
  }
  get clientMetadata() {
    return { client_name: 'SDK Agent', redirect_uris: [cb.uri], token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'] }
  }
  clientInformation() {
    return this.info
  }
  saveClientInformation(i: OAuthClientInformationMixed) {
    this.info = i
  }
  tokens() {
    return this.saved
  }
  saveTokens(t: OAuthTokens) {
    this.saved = t
    secrets.push(t.access_token, ...(t.refresh_token ? [t.refresh_token] : []))
  }
  redirectToAuthorization(u: URL) {
    this.authUrl = u
  }
  saveCodeVerifier(v: string) {
    this.verifier = v
  }
  codeVerifier() {
    return this.verifier
  }
}

for (const way of ['dynamic registration', 'a client ID metadata document'] as const) {
  test(`the MCP SDK's own OAuth client completes the flow by ${way} and calls a tool`, async () => {
    const docUrl = way === 'a client ID metadata document' ? `${docs.base}/clients/sdk.json` : undefined
    if (docUrl) docs.docs.set('/clients/sdk.json', { client_id: docUrl, client_name: 'SDK Agent', redirect_uris: [cb.uri], token_endpoint_auth_method: 'none' })
    const provider = new BrowserProvider(docUrl)
    const url = new URL(`${server.url}/mcp`)
    const transport = new StreamableHTTPClientTransport(url, { authProvider: provider })
    await assert.rejects(new Client({ name: 'sdk', version: '1' }).connect(transport), UnauthorizedError)
    assert.ok(provider.authUrl, 'the SDK asked for the browser')
    if (docUrl) assert.equal(provider.authUrl.searchParams.get('client_id'), docUrl)
    const back = await consent(provider.authUrl.toString(), { name: 'SDK Agent' })
    await transport.finishAuth(back.searchParams.get('code')!)
    const c = new Client({ name: 'sdk', version: '1' })
    await c.connect(new StreamableHTTPClientTransport(url, { authProvider: provider }))
    const r = await c.callTool({ name: 'ping', arguments: {} })
    assert.notEqual(r.isError, true)
    await c.close()
  })
}

test('the v2 SDK client, on the stateless 2026-07-28 revision, completes the flow with its RFC 9207 issuer check and calls a tool', async () => {
  const provider = new BrowserProvider()
  const url = new URL(`${server.url}/mcp`)
  const v2 = () => new ClientV2({ name: 'sdk-v2', version: '1' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } })
  const transport = new TransportV2(url, { authProvider: provider as never })
  await assert.rejects(v2().connect(transport), (err: Error) => err.name === 'UnauthorizedError' || /nauthorized/.test(err.message))
  assert.ok(provider.authUrl, 'the SDK asked for the browser')
  const back = await consent(provider.authUrl.toString(), { name: 'SDK Agent' })
  // the callback's parameters as they came: the SDK checks iss against the issuer before it redeems the code
  await transport.finishAuth(back.searchParams)
  const c = v2()
  await c.connect(new TransportV2(url, { authProvider: provider as never }))
  const r = await c.callTool({ name: 'ping', arguments: {} })
  assert.notEqual(r.isError, true, JSON.stringify(r))
  await c.close()
})

test('no token, code or verifier the flows handed out appears in anything the server printed', () => {
  assert.ok(secrets.length >= 10)
  const out = server.lines.join('\n')
  for (const s of secrets) assert.equal(out.includes(s), false, 'a secret reached the log')
})

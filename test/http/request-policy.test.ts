// DNS rebinding and CSRF on every route: rebound and malformed Host names, cross-site Origins, `null`
// Origins and cross-site fetch metadata against each route group, with and without the tokens set.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startEmulator, type Emulator } from '../emulator/emulator.js'
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js'
import { raw, errorCode, type RawRequest } from '../helpers/raw-http.js'
import { routeTable } from '../helpers/routes.js'

const ADMIN = 'policy-admin-token'
const MCP = 'policy-mcp-token'
let emu: Emulator
let open: ServerProcess
let locked: ServerProcess
/** a sign-in session of `locked`, taken before any test sends it wrong tokens (which the sign-in throttle counts) */
let session: string

before(async () => {
  emu = await startEmulator()
  const hosts = { ALLOWED_HOSTS: 'wa.example.com,other.example.com:8443', UPLOAD_ENABLED: 'true' }
  ;[open, locked] = await Promise.all([startServerProcess(emu, hosts), startServerProcess(emu, { ...hosts, ADMIN_TOKEN: ADMIN, MCP_AUTH_TOKEN: MCP, OAUTH_ENABLED: 'true', PUBLIC_BASE_URL: 'https://wa.example.com' })])
  const signIn = await fetch(`${locked.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: locked.url }, body: JSON.stringify({ token: ADMIN }) })
  session = signIn.headers.getSetCookie().find((c) => c.startsWith('admin_session='))!.split(';')[0]!
})

after(async () => {
  await Promise.all([open?.stop(), locked?.stop()])
  await emu?.close()
})

const INIT = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } })
const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }

/** one representative request per route and method, by group; `harmless` ones may be let through */
interface Target extends RawRequest {
  group: 'mcp' | 'api-read' | 'api-action' | 'page'
  harmless: boolean
}
const TARGETS: Target[] = [
  { group: 'mcp', harmless: true, method: 'POST', path: '/mcp', headers: MCP_HEADERS, body: INIT },
  { group: 'mcp', harmless: true, method: 'GET', path: '/mcp', headers: { accept: 'text/event-stream' } },
  { group: 'mcp', harmless: true, method: 'DELETE', path: '/mcp', headers: { 'mcp-session-id': 'none' } },
  { group: 'api-read', harmless: true, method: 'GET', path: '/api/status' },
  { group: 'api-read', harmless: true, method: 'GET', path: '/api/chats' },
  { group: 'api-read', harmless: true, method: 'GET', path: '/api/export/chat/15550009999' },
  { group: 'api-read', harmless: true, method: 'GET', path: '/metrics' },
  { group: 'api-action', harmless: true, method: 'POST', path: '/api/settings', headers: { 'content-type': 'application/json' }, body: '{}' },
  { group: 'api-action', harmless: true, method: 'POST', path: '/api/login', headers: { 'content-type': 'application/json' }, body: '{"token":"wrong"}' },
  { group: 'api-action', harmless: false, method: 'POST', path: '/api/logout' },
  { group: 'api-action', harmless: false, method: 'POST', path: '/api/restart-wa' },
  { group: 'api-action', harmless: false, method: 'POST', path: '/api/force-resync' },
  { group: 'api-action', harmless: false, method: 'POST', path: '/api/pairing-code', body: '{"phone":"+15550001234"}' },
  { group: 'api-action', harmless: false, method: 'POST', path: '/api/upload', body: JSON.stringify({ data: Buffer.from('x').toString('base64'), filename: 'x.txt' }) },
  { group: 'api-action', harmless: false, method: 'POST', path: '/api/upload-multipart', headers: { 'content-type': 'multipart/form-data; boundary=b' }, body: '--b\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\n\r\nhi\r\n--b--\r\n' },
  { group: 'page', harmless: true, method: 'GET', path: '/admin' },
  { group: 'page', harmless: true, method: 'GET', path: '/admin/app.js' },
  { group: 'page', harmless: true, method: 'GET', path: '/favicon.ico' },
  { group: 'page', harmless: true, method: 'GET', path: '/media/nothing.jpg' },
  { group: 'page', harmless: true, method: 'GET', path: '/' },
  { group: 'page', harmless: true, method: 'GET', path: '/no/such/route' }
]

// Host values a rebound name, a confused proxy or a hand-made request might carry: all refused
const BAD_HOSTS = (port: number): string[] => [
  'evil.example',
  `evil.example:${port}`,
  `localhost.evil.example:${port}`,
  `127.0.0.1.nip.io:${port}`,
  `localhost.:${port}`,
  `LOCALHOST.:${port}`,
  `wa.example.com.:${port}`,
  'other.example.com:9999',
  'other.example.com',
  `localhost:`,
  `localhost:abc`,
  `localhost:99999`,
  `localhost:${port}:${port}`,
  `user@localhost:${port}`,
  `[::1`,
  `[::g]:${port}`,
  `localhost evil:${port}`
]
// Host values of this server: all accepted
const GOOD_HOSTS = (port: number): string[] => [`localhost:${port}`, `LocalHost:${port}`, `127.0.0.1:${port}`, '127.0.0.1', `[::1]:${port}`, `10.1.2.3:${port}`, 'wa.example.com', `WA.Example.COM:${port}`, 'other.example.com:8443']

// browser signals of a cross-site request: refused on /api, /metrics and /mcp
const CROSS_SITE = (port: number): Array<Record<string, string>> => [
  { origin: 'https://evil.example' },
  { origin: `http://evil.example:${port}` },
  { origin: 'null' },
  { origin: `http://localhost:${port}.evil.example` },
  { origin: `http://127.0.0.1:${port}/path` },
  { origin: 'file://' },
  { origin: 'not a url' },
  { 'sec-fetch-site': 'cross-site' },
  { 'sec-fetch-site': 'same-site' },
  { origin: 'https://evil.example', 'sec-fetch-site': 'same-origin' }
]
// loopback origins on another port: other local software; /mcp takes them (MCP inspectors), /api does not
const OTHER_LOCAL = [{ origin: 'http://localhost:6274' }, { origin: 'http://127.0.0.1:5173' }]
// a same-origin browser request, a typed-in address, a script: accepted
const SAME_SITE = (port: number): Array<Record<string, string>> => [{ origin: `http://127.0.0.1:${port}` }, { origin: `http://localhost:${port}`, host: `LocalHost:${port}` }, { origin: `https://wa.example.com`, host: 'wa.example.com:443' }, { 'sec-fetch-site': 'same-origin' }, { 'sec-fetch-site': 'none' }, {}]

const servers = () => [
  { name: 'no tokens', s: open },
  { name: 'tokens set', s: locked }
]
const credential = (name: string, t: Target): Record<string, string> => (name === 'tokens set' ? { authorization: `Bearer ${t.group === 'mcp' ? MCP : ADMIN}` } : {})
const send = (s: ServerProcess, t: Target, extra: Record<string, string | null>) => raw(s.port, { ...t, headers: { ...t.headers, ...extra } })
const describe = (t: Target, h: Record<string, string | null>) => `${t.method} ${t.path} ${JSON.stringify(h)}`

test('every route but /healthz refuses a Host that is not one of its own, with or without tokens', async () => {
  for (const { name, s } of servers()) {
    for (const t of TARGETS) {
      for (const host of BAD_HOSTS(s.port)) {
        const h = { host, ...credential(name, t) }
        const r = await send(s, t, h)
        assert.equal(r.status, 403, `${name}: ${describe(t, h)} -> ${r.status} ${r.text.slice(0, 200)}`)
        assert.equal(errorCode(r), 'HOST_FORBIDDEN', `${name}: ${describe(t, h)}`)
      }
    }
  }
})

test('every route in the route table, each method, refuses a rebound Host (a new route is covered by itself)', async () => {
  const routes = await routeTable(locked)
  assert.ok(routes.length > 20, `only ${routes.length} routes`)
  for (const r of routes) {
    const res = await raw(locked.port, { method: r.method, path: r.path, headers: { host: `rebound.example:${locked.port}`, authorization: `Bearer ${ADMIN}` } })
    if (r.pattern === '/healthz') assert.notEqual(errorCode(res), 'HOST_FORBIDDEN')
    else assert.equal(errorCode(res), 'HOST_FORBIDDEN', `${r.method} ${r.path} -> ${res.status} ${res.text.slice(0, 120)}`)
  }
})

test('its own names, any case and port, IP addresses and ALLOWED_HOSTS get through', async () => {
  for (const { name, s } of servers()) {
    for (const t of TARGETS.filter((x) => x.harmless)) {
      for (const host of GOOD_HOSTS(s.port)) {
        const h = { host, ...credential(name, t) }
        const r = await send(s, t, h)
        assert.notEqual(errorCode(r), 'HOST_FORBIDDEN', `${name}: ${describe(t, h)} -> ${r.text.slice(0, 200)}`)
        assert.ok(r.status < 500, `${name}: ${describe(t, h)} -> ${r.status}`)
      }
    }
  }
})

test('a request without any Host header gets no answer from any route (uWS drops it: HTTP/1.1 requires Host)', async () => {
  for (const t of TARGETS) await assert.rejects(send(open, t, { host: null }), /socket hang up|ECONNRESET/, describe(t, { host: null }))
})

test('/healthz answers any Host: orchestrators probe it by whatever name they have', async () => {
  for (const host of BAD_HOSTS(open.port)) {
    const r = await raw(open.port, { path: '/healthz', headers: { host } })
    assert.ok(r.status === 200 || r.status === 503, `Host ${host}: ${r.status}`)
  }
})

test('cross-site Origins, null Origins and cross-site fetch metadata are refused on /api, /metrics and /mcp, token or not', async () => {
  for (const { name, s } of servers()) {
    for (const t of TARGETS.filter((x) => x.group !== 'page')) {
      for (const signals of [...CROSS_SITE(s.port), ...(t.group === 'mcp' ? [] : OTHER_LOCAL)]) {
        const h = { ...signals, ...credential(name, t) }
        const r = await send(s, t, h)
        assert.equal(r.status, 403, `${name}: ${describe(t, h)} -> ${r.status} ${r.text.slice(0, 200)}`)
        assert.equal(errorCode(r), t.group === 'mcp' ? 'MCP_ORIGIN_FORBIDDEN' : 'ORIGIN_FORBIDDEN', `${name}: ${describe(t, h)}`)
      }
    }
  }
})

test('same-origin requests, typed-in addresses and scripts get through; /mcp also takes local MCP inspectors', async () => {
  for (const { name, s } of servers()) {
    for (const t of TARGETS.filter((x) => x.harmless && x.group !== 'page')) {
      for (const signals of [...SAME_SITE(s.port), ...(t.group === 'mcp' ? OTHER_LOCAL : [])]) {
        const h = { ...signals, ...credential(name, t) }
        const r = await send(s, t, h)
        assert.ok(!['ORIGIN_FORBIDDEN', 'MCP_ORIGIN_FORBIDDEN', 'HOST_FORBIDDEN'].includes(errorCode(r) ?? ''), `${name}: ${describe(t, h)} -> ${r.text.slice(0, 200)}`)
      }
    }
  }
})

test('a state-changing request that rests on a cookie alone, without Origin or fetch metadata, is refused', async () => {
  for (const { name, s } of servers()) {
    for (const t of TARGETS.filter((x) => x.group === 'api-action')) {
      const h = { cookie: `admin_token=${ADMIN}` }
      const r = await send(s, t, h)
      assert.equal(r.status, 403, `${name}: ${describe(t, h)} -> ${r.status}`)
      assert.equal(errorCode(r), 'ORIGIN_FORBIDDEN')
    }
  }
  // a real sign-in cookie from the admin page itself (same Origin) is fine
  const r = await raw(locked.port, { method: 'POST', path: '/api/settings', headers: { cookie: session, origin: `http://127.0.0.1:${locked.port}` }, body: '{}' })
  assert.equal(r.status, 200, r.text)
})

test('pages and media check Host only: a link from another site still opens them', async () => {
  for (const t of TARGETS.filter((x) => x.group === 'page')) {
    const r = await send(open, t, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' })
    assert.ok(!['ORIGIN_FORBIDDEN', 'HOST_FORBIDDEN'].includes(errorCode(r) ?? ''), describe(t, {}))
  }
})

// /api/webhooks against the real server with WEBHOOK_ALLOW_PRIVATE off: every textual form of a private or
// non-http webhook URL is refused with its code and never connected to; bad kinds, chats, secrets, ids
// and bodies get coded 4xx errors; the generic settings route cannot write webhooks around the checks.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { startEmulator, type Emulator } from '../emulator/emulator.js'
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js'

const ADMIN = 'admin-token-for-webhooks'
let emu: Emulator
let server: ServerProcess
let victim: Server
let connections = 0
let port = 0

async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = { authorization: `Bearer ${ADMIN}` }) {
  const res = await fetch(`${server.url}${path}`, { method, headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: typeof body === 'string' ? body : body === undefined ? undefined : JSON.stringify(body) })
  return { status: res.status, json: (await res.json()) as { error?: { code: string; message: string; retryable: boolean } } & Record<string, any> }
}

before(async () => {
  victim = createServer((_req, res) => res.end('reached'))
  victim.on('connection', () => connections++)
  await new Promise<void>((r) => victim.listen(0, '127.0.0.1', r))
  port = (victim.address() as AddressInfo).port
  emu = await startEmulator()
  server = await startServerProcess(emu, { ADMIN_TOKEN: ADMIN })
})

after(async () => {
  await server?.stop()
  await emu?.close()
  victim?.close()
})

const FORBIDDEN = () => [
  `http://127.0.0.1:${port}/hook`,
  `http://127.1:${port}/hook`,
  `http://2130706433:${port}/hook`,
  `http://0x7f000001:${port}/hook`,
  `http://0177.0.0.1:${port}/hook`,
  `http://localhost:${port}/hook`,
  `http://LOCALHOST.:${port}/hook`,
  `http://hooks.localhost:${port}/hook`,
  `http://[::1]:${port}/hook`,
  `http://[::ffff:127.0.0.1]:${port}/hook`,
  `http://[::ffff:7f00:1]:${port}/hook`,
  `http://0.0.0.0:${port}/hook`,
  'http://10.1.2.3/hook',
  'http://172.16.0.1/hook',
  'http://192.168.1.10/hook',
  'http://100.64.0.1/hook',
  'http://169.254.169.254/latest/meta-data',
  'https://[fd00::1]/hook',
  'https://[fe80::1]/hook',
  'http://[::]/hook'
]

const INVALID: unknown[] = ['ftp://example.com/hook', 'file:///etc/passwd', 'javascript:alert(1)', 'data:text/plain,hi', 'ws://example.com/hook', 'not a url', '/relative/path', '', 42, null, 'http://user:pass@example.com/hook', 'https://example.com/hook#frag', `https://example.com/${'a'.repeat(2100)}`]

test('a webhook URL that points at a private address is refused with WEBHOOK_URL_FORBIDDEN, in every spelling, and never connected to', async () => {
  for (const url of FORBIDDEN()) {
    const r = await api('POST', '/api/webhooks', { url })
    assert.equal(r.status, 403, `${url}: ${JSON.stringify(r.json)}`)
    assert.equal(r.json.error?.code, 'WEBHOOK_URL_FORBIDDEN', url)
    assert.match(r.json.error!.message, /WEBHOOK_ALLOW_PRIVATE/)
    assert.equal(r.json.error!.retryable, false)
  }
  assert.equal(connections, 0, 'no refused URL was connected to')
  assert.deepEqual((await api('GET', '/api/webhooks')).json.endpoints, [])
})

test('a webhook URL that is not an absolute http(s) URL is refused with WEBHOOK_URL_INVALID', async () => {
  for (const url of INVALID) {
    const r = await api('POST', '/api/webhooks', { url })
    assert.equal(r.status, 400, `${String(url).slice(0, 60)}: ${JSON.stringify(r.json)}`)
    assert.equal(r.json.error?.code, 'WEBHOOK_URL_INVALID', String(url).slice(0, 60))
  }
  assert.equal((await api('POST', '/api/webhooks', {})).json.error?.code, 'WEBHOOK_URL_INVALID', 'no url at all')
})

test('bad endpoint fields, ids and bodies get coded errors; nothing is saved', async () => {
  const url = 'https://hooks.example.com/in'
  const rows: Array<[string, string, string, unknown, number, string]> = [
    ['unknown kind', 'POST', '/api/webhooks', { url, kinds: ['message', 'nope'] }, 400, 'WEBHOOK_INVALID'],
    ['kinds not a list', 'POST', '/api/webhooks', { url, kinds: 'message' }, 400, 'WEBHOOK_INVALID'],
    ['a chat that is no JID', 'POST', '/api/webhooks', { url, chats: ['not a chat!'] }, 400, 'WEBHOOK_INVALID'],
    ['a short secret', 'POST', '/api/webhooks', { url, secret: 'short' }, 400, 'WEBHOOK_INVALID'],
    ['a whsec_ secret too short once decoded', 'POST', '/api/webhooks', { url, secret: 'whsec_AAAA' }, 400, 'WEBHOOK_INVALID'],
    ['an unknown field', 'POST', '/api/webhooks', { url, retries: 3 }, 400, 'WEBHOOK_INVALID'],
    ['enabled not a boolean', 'POST', '/api/webhooks', { url, enabled: 'yes' }, 400, 'WEBHOOK_INVALID'],
    ['a body that is not JSON', 'POST', '/api/webhooks', '{"url":', 400, 'INVALID_INPUT'],
    ['an unknown endpoint (update)', 'PATCH', '/api/webhooks/wh_nope', { enabled: false }, 404, 'WEBHOOK_NOT_FOUND'],
    ['an unknown endpoint (delete)', 'DELETE', '/api/webhooks/wh_nope', undefined, 404, 'WEBHOOK_NOT_FOUND'],
    ['an unknown endpoint (log)', 'GET', '/api/webhooks/deliveries?endpoint=wh_nope', undefined, 404, 'WEBHOOK_NOT_FOUND'],
    ['a bad status filter', 'GET', '/api/webhooks/deliveries?status=lost', undefined, 400, 'INVALID_INPUT'],
    ['a bad limit', 'GET', '/api/webhooks/deliveries?limit=0', undefined, 400, 'INVALID_INPUT'],
    ['webhooks through the generic settings route', 'POST', '/api/settings', { webhooks: [] }, 400, 'SETTINGS_INVALID']
  ]
  for (const [what, method, path, body, status, code] of rows) {
    const r = await api(method, path, body)
    assert.equal(r.status, status, `${what}: ${JSON.stringify(r.json)}`)
    assert.equal(r.json.error?.code, code, what)
  }
  assert.deepEqual((await api('GET', '/api/webhooks')).json.endpoints, [])
})

test('an endpoint is created, updated and removed; its URL is checked on update too; /api/webhooks needs the admin token', async () => {
  assert.equal((await api('GET', '/api/webhooks', undefined, {})).status, 401)
  assert.equal((await api('POST', '/api/webhooks', { url: 'https://hooks.example.com/in' }, {})).status, 401)
  // a name that does not resolve now is accepted: every send checks again
  const made = await api('POST', '/api/webhooks', { url: 'https://hooks.example.com/in', kinds: ['message', 'reaction'], chats: ['+15550001111'], description: 'ours' })
  assert.equal(made.status, 201, JSON.stringify(made.json))
  const id = made.json.endpoint.id as string
  assert.match(made.json.secret, /^whsec_[A-Za-z0-9+/]{32}$/)
  assert.deepEqual(made.json.endpoint.chats, ['15550001111@s.whatsapp.net'])
  const bad = await api('PATCH', `/api/webhooks/${id}`, { url: `http://127.0.0.1:${port}/` })
  assert.equal(bad.json.error?.code, 'WEBHOOK_URL_FORBIDDEN')
  const up = await api('PATCH', `/api/webhooks/${id}`, { enabled: false, kinds: [] })
  assert.equal(up.status, 200)
  assert.equal(up.json.endpoint.enabled, false)
  assert.equal(up.json.endpoint.url, 'https://hooks.example.com/in')
  assert.equal(up.json.endpoint.secret_set, true)
  const settings = (await api('GET', '/api/settings')).json.settings
  assert.equal(settings.webhooks[0].id, id)
  assert.equal(JSON.stringify(settings).includes(made.json.secret.slice(6)), false, 'the secret is write-only')
  assert.equal((await api('POST', `/api/webhooks/${id}/deliveries/999/resend`)).json.error?.code, 'WEBHOOK_DELIVERY_NOT_FOUND')
  assert.equal((await api('POST', `/api/webhooks/${id}/deliveries/abc/resend`)).json.error?.code, 'INVALID_INPUT')
  assert.equal((await api('DELETE', `/api/webhooks/${id}`)).status, 200)
  assert.deepEqual((await api('GET', '/api/webhooks')).json.endpoints, [])
  assert.equal(connections, 0)
})

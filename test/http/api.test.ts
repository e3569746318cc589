// The HTTP surface besides /mcp: auth, settings, uploads, media serving, health, and bad input.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { startEmulator, type Emulator } from '../emulator/emulator.js'
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js'

const ADMIN = 'admin-secret-token'
let emu: Emulator
let server: ServerProcess
const auth = { authorization: `Bearer ${ADMIN}` }
const api = (path: string, init: RequestInit = {}) => fetch(`${server.url}${path}`, { ...init, headers: { ...auth, ...(init.headers as Record<string, string>) } })

before(async () => {
  emu = await startEmulator()
  server = await startServerProcess(emu, { ADMIN_TOKEN: ADMIN, MCP_AUTH_TOKEN: 'mcp-one,mcp-two' })
})

after(async () => {
  await server?.stop()
  await emu?.close()
})

test('/healthz answers without auth, with a reason', async () => {
  const r = await fetch(`${server.url}/healthz`)
  assert.equal(r.status, 200)
  const body = (await r.json()) as { reason: string }
  assert.ok(['awaiting-qr', 'starting'].includes(body.reason), body.reason)
})

test('/api/* needs ADMIN_TOKEN: 401 with a challenge and a JSON error body, then 200', async () => {
  const r = await fetch(`${server.url}/api/status`)
  assert.equal(r.status, 401)
  assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer/)
  assert.equal(((await r.json()) as { error: { code: string } }).error.code, 'UNAUTHORIZED')
  const ok = await api('/api/status')
  assert.equal(ok.status, 200)
  const st = (await ok.json()) as { whatsapp: { linked: boolean } }
  assert.equal(st.whatsapp.linked, false)
  assert.equal((await fetch(`${server.url}/api/status`, { headers: { authorization: 'Bearer wrong' } })).status, 401)
})

test('settings: bad values are rejected per field, good ones persist, secrets are never returned', async () => {
  const bad = await api('/api/settings', { method: 'POST', body: JSON.stringify({ upload_max_mb: -3, auto_select_contact: 'yes' }), headers: { 'content-type': 'application/json' } })
  assert.equal(bad.status, 400)
  const err = ((await bad.json()) as { error: { code: string; data: { fields: Record<string, string> } } }).error
  assert.equal(err.code, 'SETTINGS_INVALID')
  assert.ok(err.data.fields.upload_max_mb && err.data.fields.auto_select_contact)
  const good = await api('/api/settings', { method: 'POST', body: JSON.stringify({ upload_max_mb: 1, upload_token: 's3cret', auto_select_contact: true }) })
  assert.equal(good.status, 200)
  const s = ((await good.json()) as { settings: Record<string, unknown> }).settings
  assert.equal(s.upload_max_mb, 1)
  assert.equal(s.upload_token_set, true)
  assert.ok(!JSON.stringify(s).includes('s3cret'))
  const saved = join(server.dataDir, 'settings.json')
  assert.ok(existsSync(saved))
  assert.ok(!saved.startsWith(join(server.dataDir, 'media')))
  const cross = await api('/api/settings', { method: 'POST', body: '{}', headers: { origin: 'https://evil.example' } })
  assert.equal(cross.status, 403)
  assert.equal((await api('/api/settings', { method: 'POST', body: 'not json' })).status, 400)
})

test('uploads land in MEDIA_DIR, respect the size limit, and /media serves them but nothing outside', async () => {
  const up = await api('/api/upload', { method: 'POST', body: JSON.stringify({ data: Buffer.from('hello file').toString('base64'), filename: 'hello.txt' }) })
  assert.equal(up.status, 201)
  const saved = (await up.json()) as { saved_path: string; url: string; size: number }
  assert.equal(saved.size, 10)
  assert.ok(saved.saved_path.startsWith(join(server.dataDir, 'media')))
  const got = await fetch(`${server.url}${saved.url}`)
  assert.equal(await got.text(), 'hello file')
  const ranged = await fetch(`${server.url}${saved.url}`, { headers: { range: 'bytes=6-' } })
  assert.equal(ranged.status, 206)
  assert.equal(await ranged.text(), 'file')

  const form = new FormData()
  form.append('file', new Blob([Buffer.alloc(1000, 1)]), 'data.bin')
  const mp = await api('/api/upload-multipart', { method: 'POST', body: form })
  assert.equal(mp.status, 201)
  const big = new FormData()
  big.append('file', new Blob([Buffer.alloc(2 * 1024 * 1024, 1)]), 'big.bin')
  const tooBig = await api('/api/upload-multipart', { method: 'POST', body: big })
  assert.equal(tooBig.status, 413)
  assert.equal(((await tooBig.json()) as { error: { code: string } }).error.code, 'MEDIA_TOO_LARGE')

  mkdirSync(join(server.dataDir, 'media'), { recursive: true })
  writeFileSync(join(server.dataDir, 'secret.txt'), 'outside')
  for (const p of ['/media/../secret.txt', '/media/%2e%2e/secret.txt', '/media/..%2fsecret.txt', '/media/../settings.json', '/media/.hidden']) {
    // with the admin token (without it /media is 401 before any path is looked at: see admin-auth.test)
    const r = await api(p)
    assert.equal(r.status, 404, p)
  }
  assert.equal(readFileSync(join(server.dataDir, 'secret.txt'), 'utf8'), 'outside')
})

test('/mcp needs one of the MCP_AUTH_TOKEN tokens: 401 with a challenge without it', async () => {
  const init = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } })
  const h = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }
  const no = await fetch(`${server.url}/mcp`, { method: 'POST', headers: h, body: init })
  assert.equal(no.status, 401)
  assert.match(no.headers.get('www-authenticate') ?? '', /^Bearer/)
  for (const t of ['mcp-one', 'mcp-two']) assert.equal((await fetch(`${server.url}/mcp`, { method: 'POST', headers: { ...h, authorization: `Bearer ${t}` }, body: init })).status, 200)
  assert.equal((await fetch(`${server.url}/mcp`, { method: 'POST', headers: { ...h, authorization: `Bearer ${ADMIN}` }, body: init })).status, 401)
})

test('uploaded HTML or SVG is never served inline from /media (no XSS against the admin origin)', async () => {
  const up = await api('/api/upload', { method: 'POST', body: JSON.stringify({ data: Buffer.from('<script>alert(1)</script>').toString('base64'), filename: 'x.html' }) })
  const { url } = (await up.json()) as { url: string }
  const r = await fetch(`${server.url}${url}`)
  assert.doesNotMatch(r.headers.get('content-type') ?? '', /html|svg/)
  assert.match(r.headers.get('content-disposition') ?? '', /^attachment/)
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff')
})

test('unknown routes and methods get JSON errors', async () => {
  const r = await fetch(`${server.url}/nope`)
  assert.equal(r.status, 404)
  assert.equal(((await r.json()) as { error: { code: string } }).error.code, 'NOT_FOUND')
  const m = await fetch(`${server.url}/mcp`, { method: 'PUT' })
  assert.equal(m.status, 405)
})

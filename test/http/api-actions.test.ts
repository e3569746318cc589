// Every /api action and browse endpoint with good input and with bad input, before and after linking.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { startEmulator, type Emulator } from '../emulator/emulator.js'
import type { Person } from '../emulator/person.js'
import { startServerProcess, call, until, type ServerProcess } from '../helpers/server-process.js'

const ACCOUNT = '15550001111'
const JPEG = Buffer.from('/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsOCwkJDRENDg8QEBEQCgwSExIQEw8QEBD/yQALCAABAAEBAREA/8wABgAQEAX/2gAIAQEAAD8A0s8g/9k=', 'base64')
let emu: Emulator
let server: ServerProcess
let client: Client
let pat: Person

const get = (path: string) => fetch(`${server.url}${path}`)
const post = (path: string, body?: unknown, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { method: 'POST', headers, ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}) })
const code = async (r: Response) => ((await r.json()) as { error: { code: string } }).error.code

before(async () => {
  emu = await startEmulator()
  pat = emu.person({ phone: '15550002222', name: 'Pat' })
  emu.setHistory(ACCOUNT, { chats: [{ jid: pat.phone, messages: [{ id: 'P1', text: 'hello' }] }] })
  server = await startServerProcess(emu)
  client = await server.mcp()
})

after(async () => {
  await client?.close()
  await server?.stop()
  await emu?.close()
})

test('before linking: the QR as PNG; actions that need a link say so', async () => {
  const qr = await until(async () => {
    const r = await get('/api/qr')
    return r.status === 200 ? r : undefined
  }, 20_000, 'a QR PNG')
  assert.equal(qr.headers.get('content-type'), 'image/png')
  assert.deepEqual([...new Uint8Array(await qr.arrayBuffer()).slice(0, 4)], [0x89, 0x50, 0x4e, 0x47])
  assert.equal(await code(await post('/api/logout')), 'WA_NOT_LINKED')
  const resync = await post('/api/force-resync')
  assert.ok(resync.status >= 400)
  assert.equal((await call(client, 'logout')).data.already_logged_out, true)
  assert.equal((await call(client, 'force_resync')).ok, false)
  assert.equal((await post('/api/pairing-code', { phone: 'not a number' })).status, 400)
  assert.equal(await code(await post('/api/pairing-code', 'garbage')), 'INVALID_INPUT')
})

test('browse endpoints refuse bad parameters with coded JSON errors', async () => {
  assert.equal(await code(await get('/api/chats?limit=abc')), 'INVALID_INPUT')
  assert.equal(await code(await get('/api/chats?limit=500')), 'INVALID_INPUT')
  assert.equal(await code(await get('/api/chats?cursor=%%%')), 'CURSOR_INVALID')
  assert.equal(await code(await get('/api/chats/not-a-jid/messages')), 'WA_JID_INVALID')
  assert.equal(await code(await get('/api/avatar/not-a-jid')), 'WA_JID_INVALID')
  assert.equal((await get(`/api/chats/${encodeURIComponent(pat.jid)}/messages/NOPE/thumbnail`)).status, 404)
  assert.equal((await get(`/api/chats/${encodeURIComponent(pat.jid)}/messages/NOPE/media`)).status, 404)
  assert.equal(await code(await get('/api/export/chat/not-a-jid')), 'WA_JID_INVALID')
  assert.equal((await post('/api/restart-wa', undefined, { origin: 'https://evil.example' })).status, 403)
  const metrics = await get('/metrics')
  assert.match(await metrics.text(), /^wa_linked 0$/m)
})

test('uploads follow the live settings: disabled, then token required', async () => {
  const file = { data: Buffer.from('x').toString('base64'), filename: 'x.txt' }
  await post('/api/settings', { upload_enabled: false })
  assert.equal(await code(await post('/api/upload', file)), 'UPLOAD_DISABLED')
  await post('/api/settings', { upload_enabled: true, require_upload_token: true, upload_token: 'tok-1' })
  assert.equal(await code(await post('/api/upload', file)), 'UPLOAD_TOKEN_INVALID')
  assert.equal(await code(await post('/api/upload', file, { 'x-upload-token': 'wrong' })), 'UPLOAD_TOKEN_INVALID')
  assert.equal((await post('/api/upload', file, { 'x-upload-token': 'tok-1' })).status, 201)
  assert.equal((await post('/api/upload', file, { authorization: 'Bearer tok-1' })).status, 201)
  assert.equal(await code(await post('/api/settings', { require_upload_token: true, upload_token: '' })), 'SETTINGS_INVALID')
  await post('/api/settings', { require_upload_token: false })
})

test('after linking by phone-number code: chats, messages, avatars, restart and logout work', async () => {
  const r = await post('/api/pairing-code', { phone: `+${ACCOUNT}` })
  assert.equal(r.status, 200)
  const { code: pairingCode } = (await r.json()) as { code: string }
  assert.match(pairingCode, /^[A-Z0-9]{8}$/)
  await emu.enterPairingCode(pairingCode, { phone: ACCOUNT })
  await until(async () => (await call(client, 'check_auth_status')).data.ready, 30_000, 'ready after the code')
  await until(async () => ((await (await get('/api/chats')).json()) as { chats: unknown[] }).chats.length > 0, 20_000, 'chats')
  // the chat row can be stored a moment before the contact that names it: wait for the name, not only the row
  const chats = await until(async () => {
    const c = (await (await get('/api/chats?limit=5&q=Pat')).json()) as { chats: Array<{ jid: string; name: string }> }
    return c.chats.length ? c : undefined
  }, 10_000, 'the chat found by its name')
  assert.equal(chats.chats[0]?.name, 'Pat')
  const page = (await (await get(`/api/chats/${encodeURIComponent(pat.lid)}/messages`)).json()) as { messages: Array<{ id: string }> }
  assert.deepEqual(page.messages.map((m) => m.id), ['P1'], 'a LID names the same chat')
  const url = pat.setProfilePicture(JPEG)
  const avatar = await fetch(`${server.url}/api/avatar/${encodeURIComponent(pat.jid)}`, { redirect: 'manual' })
  assert.equal(avatar.status, 302)
  assert.equal(avatar.headers.get('location'), url)
  assert.equal((await get(`/api/avatar/${encodeURIComponent('15559999999@s.whatsapp.net')}`)).status, 404)
  // search_contacts and get_group_info, main path and error path
  assert.equal(((await call(client, 'search_contacts', { query: 'pat' })).data.contacts as Array<{ jid: string }>)[0]?.jid, pat.jid)
  assert.equal((await call(client, 'search_contacts', { query: '' })).ok, false)
  assert.equal((await call(client, 'get_group_info', { group_jid: pat.jid })).data.code, 'WA_JID_INVALID')
  assert.equal((await call(client, 'get_group_info', { group_jid: '120363999999999999@g.us' })).data.code, 'GROUP_NOT_FOUND')
  const r0 = ((await (await get('/api/status')).json()) as { whatsapp: { restarts: unknown[] } }).whatsapp.restarts.length
  assert.equal((await post('/api/restart-wa')).status, 202)
  await until(async () => {
    const s = (await (await get('/api/status')).json()) as { whatsapp: { ready: boolean; restarts: unknown[] } }
    return s.whatsapp.restarts.length > r0 && s.whatsapp.ready
  }, 30_000, 'restarted and ready')
  assert.equal((await post('/api/logout')).status, 200)
  await until(async () => !((await (await get('/api/status')).json()) as { whatsapp: { linked: boolean } }).whatsapp.linked, 15_000, 'unlinked')
})

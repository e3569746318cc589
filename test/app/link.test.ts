// End to end: the real server, its real Baileys worker, the emulator, and the MCP SDK's own client.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startEmulator, type Emulator } from '../emulator/emulator.js'
import { startServerProcess, call, until, type ServerProcess } from '../helpers/server-process.js'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { decodeQrPng } from '../helpers/link.js'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

const ACCOUNT = '15550001111'
let emu: Emulator
let server: ServerProcess
let client: Client

before(async () => {
  emu = await startEmulator()
  emu.setHistory(ACCOUNT, { chats: [{ jid: '15550009999', name: 'Old Friend', unread: 2, messages: [{ text: 'hello from the past' }, { text: 'and me', fromMe: true }] }] })
  server = await startServerProcess(emu, { WA_EVENT_STREAM: 'true', WA_EVENT_LOG: 'true' })
  client = await server.mcp()
})

after(async () => {
  await client?.close()
  await server?.stop()
  await emu?.close()
})

test('start-up runs the native uWebSockets.js binary, not the JavaScript fallback', async () => {
  const line = await server.waitLog((l) => typeof l.uws === 'string')
  // the start-up line names the package and binary that loaded
  assert.match(String(line.uws), new RegExp(`uws_${process.platform}_${process.arch}_${process.versions.modules}\\.node$`))
  assert.equal(line.level, 'info')
})

test('publishes the first tools with schemas and annotations', async () => {
  const { tools } = await client.listTools()
  const names = tools.map((t) => t.name)
  for (const n of ['ping', 'get_qr_code', 'check_auth_status', 'logout']) assert.ok(names.includes(n), n)
  for (const t of tools) {
    assert.ok(t.outputSchema, `${t.name} has an output schema`)
    // a hint equal to the specification's default is left out (readOnlyHint false, openWorldHint true...)
    assert.ok(t.annotations, `${t.name} has annotations`)
    for (const [k, v] of Object.entries(t.annotations)) if (k.endsWith('Hint')) assert.equal(typeof v, 'boolean', `${t.name}.${k}`)
    assert.ok(t.title)
  }
  assert.equal((await call(client, 'ping')).data.reply, 'pong')
})

test('links by the QR from get_qr_code, syncs history, and reports ready', async () => {
  const before = await call(client, 'check_auth_status')
  assert.equal(before.data.linked, false)
  const qr = await until(async () => {
    const r = await call(client, 'get_qr_code')
    return r.ok ? r : undefined
  }, 20_000, 'a QR code')
  const image = (qr.raw.content as Array<{ type: string; mimeType?: string }>).find((c) => c.type === 'image')
  assert.equal(image?.mimeType, 'image/png')
  // the PNG, decoded like a phone camera would, carries the same string
  const png = (qr.raw.content as Array<{ type: string; data?: string }>).find((c) => c.type === 'image')!
  assert.equal(decodeQrPng(png.data!), qr.data.qr)
  await emu.scanQr(decodeQrPng(png.data!), { phone: ACCOUNT })
  const ready = await until(async () => {
    const r = await call(client, 'check_auth_status')
    return r.data.ready ? r : undefined
  }, 30_000, 'ready')
  assert.equal((ready.data.me as { jid: string }).jid, `${ACCOUNT}@s.whatsapp.net`)
  const again = await call(client, 'get_qr_code')
  assert.equal(again.ok, false)
  assert.equal(again.data.code, 'WA_ALREADY_LINKED')
  // the history landed in the store
  await until(async () => {
    const st = (await (await fetch(`${server.url}/api/status`)).json()) as { store: { messages: number } }
    return st.store.messages >= 2
  }, 20_000, 'history in the store')
  const health = await fetch(`${server.url}/healthz`)
  assert.equal(health.status, 200)
  assert.equal(((await health.json()) as { reason: string }).reason, 'ready')
})

test('WA_EVENT_STREAM writes the raw Baileys events as JSON lines; WA_EVENT_LOG logs them', async () => {
  const lines = readFileSync(join(server.dataDir, 'logs', 'wa-events.log'), 'utf8').trim().split('\n')
  assert.ok(lines.length > 0)
  assert.ok(lines.some((l) => (JSON.parse(l) as { events: Record<string, unknown> }).events['connection.update']))
  assert.ok(server.logs.some((l) => l.msg === 'baileys events'))
})

test('a restarted server comes back linked without a new QR', async () => {
  let qrs = 0
  const onQr = () => qrs++
  emu.on('qr-issued', onQr)
  await client.close()
  await server.stop()
  server = await startServerProcess(emu, {}, server.dataDir)
  client = await server.mcp()
  const st = await until(async () => {
    const r = await call(client, 'check_auth_status')
    return r.data.ready ? r : undefined
  }, 30_000, 'ready after the restart')
  assert.equal(st.data.linked, true)
  assert.equal(qrs, 0)
  emu.off('qr-issued', onQr)
})

test('logout clears the link but keeps the store, and a new QR follows', async () => {
  const r = await call(client, 'logout')
  assert.equal(r.data.logged_out, true)
  const st = await until(async () => {
    const s = await call(client, 'check_auth_status')
    return !s.data.linked && s.data.state === 'awaiting-qr' ? s : undefined
  }, 20_000, 'awaiting-qr after logout')
  assert.equal(st.data.ready, false)
  const status = (await (await fetch(`${server.url}/api/status`)).json()) as { store: { messages: number } }
  assert.ok(status.store.messages >= 2)
  const qr = await until(async () => {
    const q = await call(client, 'get_qr_code')
    return q.ok ? q : undefined
  }, 20_000, 'a new QR')
  assert.ok(qr.data.qr)
})

// The audit trail end to end: MCP clients of both eras call tools on a server linked to the emulator, and
// /api/audit shows each call with its tool, chat, client and result code; a send's record survives a
// kill -9 right after its reply; the export parses line by line; texts are kept only when the setting says
// so; retention removes old rows when the server starts.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { statSync } from 'node:fs'
import Database from 'better-sqlite3'
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { startEmulator, type Emulator } from '../emulator/emulator.js'
import type { Person } from '../emulator/person.js'
import { call, startServerProcess, until, type ServerProcess } from '../helpers/server-process.js'
import { startLinkedServer } from '../helpers/link.js'
import type { AuditRecord } from '../../src/audit/audit-policy.js'

const ACCOUNT = '15550009001'
const DAY = 86_400_000
let emu: Emulator
let server: ServerProcess
let client: Client
let ada: Person

const audit = async (query = ''): Promise<{ records: AuditRecord[]; next_cursor: string | null }> => {
  const r = await fetch(`${server.url}/api/audit${query}`)
  assert.equal(r.status, 200, await r.clone().text())
  return (await r.json()) as { records: AuditRecord[]; next_cursor: string | null }
}
const ready = async (): Promise<boolean> => ((await (await fetch(`${server.url}/api/status`)).json()) as { whatsapp: { ready: boolean } }).whatsapp.ready

before(async () => {
  emu = await startEmulator()
  ada = emu.person({ phone: '447700900901', name: 'Ada Audit' })
  emu.setHistory(ACCOUNT, { chats: [{ jid: ada.phone, messages: [{ text: 'hello from the past', id: 'AU1' }] }] })
  const linked = await startLinkedServer(emu, ACCOUNT, { AUDIT_FLUSH_MS: '500' })
  server = linked.server
  client = linked.client
  await until(async () => ((await call(client, 'list_messages', { chat_id: ada.jid })).data.messages as unknown[] | undefined)?.length, 20_000, 'history stored')
})

after(async () => {
  await client?.close().catch(() => undefined)
  await server?.stop()
  await emu?.close()
})

test('reads, sends and failures are recorded with tool, chat, message id, client and code; ping is not', async () => {
  const sent = await call(client, 'send_message', { recipient_jid: ada.phone, message: 'a secret plan' })
  assert.ok(sent.ok)
  await call(client, 'get_message_by_id', { message_id: `${ada.jid}:AU1` })
  const missing = await call(client, 'get_message_by_id', { message_id: `${ada.jid}:NOPE` })
  assert.equal(missing.ok, false)
  const invalid = await call(client, 'list_messages', { chat_id: ada.jid, unread_only: true })
  assert.equal(invalid.data.code, 'INVALID_INPUT')
  await call(client, 'ping')
  await call(client, 'check_auth_status')
  const { records } = await until(async () => {
    const page = await audit('?limit=20')
    return page.records.some((r) => r.tool === 'list_messages' && r.code === 'INVALID_INPUT') ? page : undefined
  }, 5000, 'the batched reads')
  const send = records.find((r) => r.tool === 'send_message')!
  assert.equal(send.outcome, 'ok')
  assert.deepEqual(send.chats, [ada.jid], 'the phone number the caller gave is the chat\'s JID')
  assert.deepEqual(send.message_ids, [sent.data.message_id])
  assert.equal(send.client, 'test-client')
  assert.equal(send.credential, 'no token')
  assert.equal(send.details.message, '…(omitted, 13 chars)', 'no text without the setting')
  assert.ok(!JSON.stringify(records).includes('a secret plan'))
  const read = records.find((r) => r.tool === 'get_message_by_id' && r.outcome === 'ok')!
  assert.deepEqual(read.message_ids, [`${ada.jid}:AU1`])
  const notFound = records.find((r) => r.tool === 'get_message_by_id' && r.outcome === 'error')!
  assert.equal(notFound.code, missing.data.code)
  assert.ok(!records.some((r) => r.tool === 'ping' || r.tool === 'check_auth_status'), 'ping and status checks are not audited')
  const filtered = await audit(`?tool=get_message_by_id&code=${String(missing.data.code)}`)
  assert.deepEqual(filtered.records.map((r) => r.id), [notFound.id])
  for (const chat of [ada.jid, `+${ada.phone}`]) {
    const byChat = await audit(`?chat=${encodeURIComponent(chat)}&code=ok`)
    assert.ok(byChat.records.some((r) => r.id === send.id) && byChat.records.every((r) => r.outcome === 'ok' && r.chats.includes(ada.jid)), chat)
  }
})

test('a 2026 client\'s calls are recorded with the clientInfo of its request', async () => {
  const v2 = new ClientV2({ name: 'audit-v2', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } })
  await v2.connect(new TransportV2(new URL(`${server.url}/mcp`)))
  await v2.callTool({ name: 'list_chats', arguments: { limit: 1 } })
  await v2.close()
  const rec = await until(async () => (await audit('?tool=list_chats')).records.find((r) => r.client === 'audit-v2'), 5000, 'the 2026 record')
  assert.equal(rec.outcome, 'ok')
  assert.deepEqual(rec.details, { limit: 1, include_last_message: true, only_unread: false, include_archived: true })
})

test('texts are kept once the audit_bodies setting is on', async () => {
  const set = await fetch(`${server.url}/api/settings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ audit_bodies: true }) })
  assert.equal(set.status, 200)
  await call(client, 'send_message', { recipient_jid: ada.jid, message: 'kept in the trail' })
  const rec = (await audit('?tool=send_message&limit=1')).records[0]!
  assert.equal(rec.details.message, 'kept in the trail')
  await fetch(`${server.url}/api/settings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ audit_bodies: false }) })
})

test('a send\'s record survives kill -9 right after its reply; the trail pages by cursor and exports as JSON lines', async () => {
  const sent = await call(client, 'send_message', { recipient_jid: ada.jid, message: 'just before the kill' })
  assert.ok(sent.ok)
  server.child.kill('SIGKILL')
  await new Promise((r) => (server.child.exitCode !== null || server.child.signalCode ? r(undefined) : server.child.once('exit', r)))
  await client.close().catch(() => undefined)
  // a row older than the retention, written while the server is down: the start removes it
  const file = join(server.dataDir, 'audit.sqlite')
  const db = new Database(file)
  db.prepare(`INSERT INTO audit(at, kind, credential, chats, message_ids, outcome, details) VALUES (?, 'tool', 'old', '[]', '[]', 'ok', '{}')`).run(Date.now() - 3 * DAY)
  db.close()
  server = await startServerProcess(emu, { ...server.env, AUDIT_RETENTION_DAYS: '2' }, server.dataDir)
  await until(ready, 40_000, 'ready after the restart')
  client = await server.mcp()
  const last = (await audit('?tool=send_message&limit=1')).records[0]!
  assert.deepEqual(last.message_ids, [sent.data.message_id], 'the send answered before the kill is in the trail')
  assert.equal((await audit('?credential=old')).records.length, 0, 'the row past the retention is gone')
  assert.equal(statSync(file).mode & 0o777, 0o600)

  const all: AuditRecord[] = []
  let cursor: string | null = null
  do {
    const page = await audit(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
    all.push(...page.records)
    cursor = page.next_cursor
  } while (cursor)
  assert.ok(all.length >= 6)
  assert.deepEqual(all.map((r) => r.id), [...all.map((r) => r.id)].sort((a, b) => b - a), 'newest first, no row twice')
  const exp = await fetch(`${server.url}/api/audit/export`)
  assert.equal(exp.status, 200)
  assert.match(exp.headers.get('content-type') ?? '', /application\/x-ndjson/)
  const lines = (await exp.text()).split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditRecord)
  assert.deepEqual(lines.map((r) => r.id), [...all].reverse().map((r) => r.id), 'the export holds every row, oldest first')
  const sends = (await (await fetch(`${server.url}/api/audit/export?tool=send_message`)).text()).trim().split('\n').map((l) => JSON.parse(l) as AuditRecord)
  assert.ok(sends.length >= 3 && sends.every((r) => r.tool === 'send_message'))
})

test('bad filters and cursors are coded 400s', async () => {
  const rows: Array<[string, string]> = [
    ['?cursor=nonsense', 'AUDIT_CURSOR_INVALID'],
    ['?cursor=au0', 'AUDIT_CURSOR_INVALID'],
    ['?cursor=au1%27%20OR%201', 'AUDIT_CURSOR_INVALID'],
    ['?limit=0', 'AUDIT_QUERY_INVALID'],
    ['?limit=501', 'AUDIT_QUERY_INVALID'],
    ['?limit=1.5', 'AUDIT_QUERY_INVALID'],
    ['?since=yesterday', 'AUDIT_QUERY_INVALID'],
    ['?until=9999999999999999', 'AUDIT_QUERY_INVALID']
  ]
  for (const [q, code] of rows) {
    const r = await fetch(`${server.url}/api/audit${q}`)
    assert.equal(r.status, 400, q)
    assert.equal(((await r.json()) as { error: { code: string } }).error.code, code, q)
  }
  const e = await fetch(`${server.url}/api/audit/export?since=nope`)
  assert.equal(e.status, 400)
})

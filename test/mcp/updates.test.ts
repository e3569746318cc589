// get_updates and wait_for_messages through the SDK client, against a linked server and emulated people:
// exactly the missed events after a disconnect and after a kill -9, waits that wake, time out and cancel.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { CallToolResultSchema, ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js'
import { startEmulator, type Emulator } from '../emulator/emulator.js'
import type { Person } from '../emulator/person.js'
import { call, startServerProcess, until, type ServerProcess } from '../helpers/server-process.js'
import { startLinkedServer } from '../helpers/link.js'

const ACCOUNT = '15550008001'
let emu: Emulator
let server: ServerProcess
let client: Client
let ada: Person
let bob: Person

interface Ev {
  kind: string
  chat_jid?: string
  message_id?: string
  text?: string
  emoji?: string
  cursor: string
}
const updates = async (args: Record<string, unknown>) => {
  const r = await call(client, 'get_updates', args)
  assert.equal(r.ok, true, JSON.stringify(r.data))
  return r.data as { events: Ev[]; next_cursor: string; has_more: boolean }
}
const ready = async () => ((await (await fetch(`${server.url}/api/status`)).json()) as { whatsapp: { ready: boolean } }).whatsapp.ready

before(async () => {
  emu = await startEmulator()
  ada = emu.person({ phone: '15550008002', name: 'Ada' })
  bob = emu.person({ phone: '15550008003', name: 'Bob' })
  emu.setHistory(ACCOUNT, { chats: [{ jid: ada.phone, messages: [{ text: 'old news' }] }, { jid: bob.phone, messages: [{ text: 'older news' }] }] })
  const linked = await startLinkedServer(emu, ACCOUNT)
  server = linked.server
  client = linked.client
  await until(async () => (await call(client, 'list_chats', {})).data.chats && ((await call(client, 'list_chats', {})).data.chats as unknown[]).length >= 2, 20_000, 'history stored')
})

after(async () => {
  await client?.close().catch(() => undefined)
  server?.child.kill('SIGKILL')
  await emu?.close()
})

test('get_updates without since is an empty page and the cursor of now; history is not an event', async () => {
  const r = await updates({})
  assert.deepEqual(r.events.filter((e) => e.kind === 'message'), [])
  assert.match(r.next_cursor, /^ev1_/)
})

test('an agent that comes back with its cursor gets exactly what it missed, in order, nothing twice, across a kill -9', async () => {
  const start = (await updates({})).next_cursor
  const m1 = await ada.sendText(ACCOUNT, 'first while away')
  const m2 = await bob.sendText(ACCOUNT, 'second while away')
  const page1 = await until(async () => {
    const r = await updates({ since: start, kinds: ['message'] })
    return r.events.length >= 2 ? r : undefined
  }, 20_000, 'both messages as events')
  assert.deepEqual(page1.events.map((e) => e.message_id?.split(':').at(-1)), [m1.id, m2.id])
  assert.equal(page1.events[0]!.text, 'first while away')
  // a page of one, then the rest: the cursor walks without gaps
  const one = await updates({ since: start, kinds: ['message'], limit: 1 })
  assert.equal(one.has_more, true)
  const rest = await updates({ since: one.next_cursor, kinds: ['message'] })
  assert.deepEqual(rest.events.map((e) => e.message_id?.split(':').at(-1)), [m2.id])
  // the server dies; what comes after the cursor is still exactly what was missed
  const cursor = page1.next_cursor
  server.child.kill('SIGKILL')
  await new Promise((r) => server.child.once('exit', r))
  const m3 = await ada.sendText(ACCOUNT, 'while the server was down')
  server = await startServerProcess(emu, server.env, server.dataDir)
  client = await server.mcp()
  await until(ready, 40_000, 'ready after the restart')
  const after = await until(async () => {
    const r = await updates({ since: cursor, kinds: ['message'] })
    return r.events.length ? r : undefined
  }, 20_000, 'the message sent during the outage')
  assert.deepEqual(after.events.map((e) => e.message_id?.split(':').at(-1)), [m3.id])
  const again = await updates({ since: after.next_cursor, kinds: ['message'] })
  assert.deepEqual(again.events, [], 'nothing twice')
})

test('a reaction, an edit and a delete for everyone are events of their message', async () => {
  const start = (await updates({})).next_cursor
  const m = await ada.sendText(ACCOUNT, 'to be changed')
  const key = { id: m.id, remoteJid: ada.jid }
  await ada.react(ACCOUNT, key, '🎉')
  await ada.edit(ACCOUNT, key, 'changed')
  await ada.revoke(ACCOUNT, key)
  const r = await until(async () => {
    const x = await updates({ since: start, chats: [ada.jid] })
    return x.events.some((e) => e.kind === 'message_revoked') ? x : undefined
  }, 20_000, 'the revoke as an event')
  const mine = r.events.filter((e) => e.message_id?.endsWith(`:${m.id}`))
  // changes that reach the store in one write are logged in the order the writer applies their kinds
  assert.equal(mine[0]!.kind, 'message')
  assert.deepEqual(mine.slice(1).map((e) => e.kind).sort(), ['message_edited', 'message_revoked', 'reaction'])
  assert.equal(mine.find((e) => e.kind === 'reaction')!.emoji, '🎉')
})

test('filters by chat, a chat that is unknown, and a cursor that is not ours each get a clear answer', async () => {
  const start = (await updates({})).next_cursor
  await bob.sendText(ACCOUNT, 'for the chat filter')
  const onlyAda = await updates({ since: start, chats: [ada.phone] })
  assert.equal(onlyAda.events.filter((e) => e.kind === 'message').length, 0)
  const onlyBob = await until(async () => {
    const r = await updates({ since: start, chats: [bob.jid], kinds: ['message'] })
    return r.events.length ? r : undefined
  }, 15_000, 'bob\'s message')
  assert.equal(onlyBob.events[0]!.chat_jid, bob.jid)
  const unknown = await call(client, 'get_updates', { chats: ['15559999999'] })
  assert.equal(unknown.data.code, 'CHAT_NOT_FOUND')
  const forged = start.replace(/_([0-9a-z]+)_/, (_m, n: string) => `_${(parseInt(n, 36) + 1).toString(36)}_`)
  for (const bad of [forged, 'ev1_zz_AAAAAAAAAAAAAAAAAAAAAA', 'not a cursor']) {
    const r = await call(client, 'get_updates', { since: bad })
    assert.equal(r.data.code, 'CURSOR_INVALID', bad)
  }
})

test('wait_for_messages returns the reply as soon as it is stored, filtered by sender and text', async () => {
  const since = (await updates({})).next_cursor
  const waiting = call(client, 'wait_for_messages', { from: ada.phone, contains: 'yes', since, timeout_s: 60 })
  await new Promise((r) => setTimeout(r, 300))
  await bob.sendText(ACCOUNT, 'yes from the wrong person')
  await ada.sendText(ACCOUNT, 'not this one')
  const reply = await ada.sendText(ACCOUNT, 'Yes, see you at eight')
  const r = await waiting
  assert.equal(r.ok, true, JSON.stringify(r.data))
  const msgs = r.data.messages as Array<{ id: string; body: string }>
  assert.deepEqual(msgs.map((m) => m.id), [reply.id])
  assert.equal(r.data.timed_out, false)
  // the cursor it returns continues after the reply
  const next = await call(client, 'wait_for_messages', { from: ada.phone, since: r.data.next_cursor, timeout_s: 1 })
  assert.deepEqual(next.data.messages, [])
  assert.equal(next.data.timed_out, true)
})

test('wait_for_messages times out empty with a cursor, and a cancelled wait ends at once', async () => {
  const r = await call(client, 'wait_for_messages', { chat_id: ada.phone, timeout_s: 1 })
  assert.deepEqual(r.data.messages, [])
  assert.equal(r.data.timed_out, true)
  assert.match(String(r.data.next_cursor), /^ev1_/)
  const ac = new AbortController()
  const cancelled = client.request({ method: 'tools/call', params: { name: 'wait_for_messages', arguments: { timeout_s: 300 } } }, CallToolResultSchema, { signal: ac.signal })
  setTimeout(() => ac.abort(), 200)
  await assert.rejects(cancelled)
  // the server dropped the waiter: a new wait still works and the server answers quickly
  const ping = await call(client, 'ping', {})
  assert.equal(ping.ok, true)
  const bad = await call(client, 'wait_for_messages', { timeout_s: 301 })
  assert.equal(bad.ok, false)
})

test('a subscribed client hears notifications/resources/updated when an emulated person writes, and reads the new message', async () => {
  const caps = client.getServerCapabilities()
  assert.equal((caps?.resources as { subscribe?: boolean } | undefined)?.subscribe, true)
  const listed = await client.listResources()
  assert.ok(listed.resources.some((r) => r.uri === 'whatsapp://inbox'))
  const uri = `whatsapp://chats/${encodeURIComponent(ada.jid)}`
  const heard: string[] = []
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
    heard.push(n.params.uri)
  })
  await client.subscribeResource({ uri })
  await new Promise((r) => setTimeout(r, 500))
  const m = await ada.sendText(ACCOUNT, 'subscribers hear this')
  await until(() => heard.includes(uri), 20_000, 'the update notification')
  const read = await client.readResource({ uri })
  const body = JSON.parse(String((read.contents[0] as { text: string }).text)) as { messages: Array<{ id: string }> }
  assert.equal(body.messages[0]!.id, m.id)
  // a chat nobody subscribed to is not announced to this client
  heard.length = 0
  await bob.sendText(ACCOUNT, 'not for this subscriber')
  await new Promise((r) => setTimeout(r, 1500))
  assert.ok(!heard.includes(uri) && !heard.some((u) => u.includes('15550008003')))
})

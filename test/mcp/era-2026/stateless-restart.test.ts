// What a 2026 client carries between requests survives a server restart: an event cursor, a multi-round
// request's state and a task handle minted before it work after it; a tampered or expired one is a clear
// error. Real server processes on one data folder, linked to the emulator; raw 2026 requests.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { startEmulator, type Emulator } from '../../emulator/emulator.js'
import type { Person } from '../../emulator/person.js'
import { startServerProcess, until, type ServerProcess } from '../../helpers/server-process.js'
import { startLinkedServer } from '../../helpers/link.js'
import { createSealer } from '../../../src/mcp/era-2026/sealed-state.js'
import { STATE_KEY_FILE } from '../../../src/mcp/era-2026/state-key.js'

const V = '2026-07-28'
const CAPS = { extensions: { 'io.modelcontextprotocol/tasks': {} }, elicitation: {} }
const ACCOUNT = '15550004444'
let emu: Emulator
let server: ServerProcess
let alice: Person
let nextId = 1

async function rpc(method: string, params: Record<string, unknown>): Promise<{ status: number; body: Record<string, any> }> {
  const name = method === 'tools/call' ? params.name : method.startsWith('tasks/') ? params.taskId : undefined
  const r = await fetch(`${server.url}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', 'mcp-protocol-version': V, 'mcp-method': method, ...(typeof name === 'string' ? { 'mcp-name': name } : {}) },
    body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params: { ...params, _meta: { 'io.modelcontextprotocol/protocolVersion': V, 'io.modelcontextprotocol/clientCapabilities': CAPS } } })
  })
  return { status: r.status, body: (await r.json()) as Record<string, any> }
}

const tool = async (name: string, args: Record<string, unknown>, extra: Record<string, unknown> = {}) => (await rpc('tools/call', { name, arguments: args, ...extra })).body
const taskGet = (taskId: string) => rpc('tasks/get', { taskId })
const ready = async () => ((await (await fetch(`${server.url}/api/status`)).json()) as { whatsapp: { ready: boolean } }).whatsapp.ready
/** the last character of a sealed string's signature changed */
const tamper = (s: string) => `${s.slice(0, -2)}${s.at(-2) === 'A' ? 'B' : 'A'}${s.at(-1)}`

let cursor: string
let mrtr: { requestState: string; key: string }
let waitHandle: string
let cancelHandle: string

before(async () => {
  emu = await startEmulator()
  alice = emu.person({ phone: '15550005555', name: 'Alice Restart' })
  emu.setHistory(ACCOUNT, { chats: [{ jid: alice.phone, messages: [{ text: 'before', id: 'R1' }] }] })
  const linked = await startLinkedServer(emu, ACCOUNT)
  await linked.client.close()
  server = linked.server
  await until(async () => (await tool('list_chats', {})).result?.structuredContent?.chats?.length > 0, 20_000, 'history stored')

  // minted before the restart
  cursor = (await tool('get_updates', {})).result.structuredContent.next_cursor
  const asked = (await tool('logout', {})).result
  assert.equal(asked.resultType, 'input_required')
  mrtr = { requestState: asked.requestState, key: Object.keys(asked.inputRequests)[0]! }
  const wait = (await tool('wait_for_messages', { chat_id: alice.jid, timeout_s: 120 })).result
  assert.equal(wait.resultType, 'task')
  waitHandle = wait.taskId
  cancelHandle = (await tool('wait_for_messages', { chat_id: alice.jid, contains: 'never sent', timeout_s: 120 })).result.taskId
  // a message after the handle was minted and before the restart: the wait run again must still see it
  await alice.sendText(`${ACCOUNT}@s.whatsapp.net`, 'between handle and restart')
  await until(async () => (await tool('list_messages', { chat_id: alice.jid })).result?.structuredContent?.messages?.some((m: { body?: string }) => m.body === 'between handle and restart'), 20_000, 'the message stored')

  await server.stop()
  server = await startServerProcess(emu, server.env, server.dataDir)
  await until(ready, 40_000, 'ready after the restart')
})

after(async () => {
  await server?.stop()
  await emu?.close()
})

test('a task handle from before the restart is polled to its result after it, and a message that came in meanwhile is not missed', async () => {
  assert.match(waitHandle, /^v1\.task\./, 'the handle is sealed')
  const first = await taskGet(waitHandle)
  assert.equal(first.status, 200, JSON.stringify(first.body))
  assert.ok(['working', 'completed'].includes(first.body.result.status))
  const done = await until(async () => {
    const t = (await taskGet(waitHandle)).body.result
    return t.status === 'completed' ? t : undefined
  }, 20_000, 'the revived wait completed')
  const got = done.result.structuredContent as { messages: Array<{ body?: string }>; timed_out: boolean }
  assert.equal(got.timed_out, false)
  assert.ok(got.messages.some((m) => m.body === 'between handle and restart'), JSON.stringify(got))
})

test('a task handle from before the restart can be cancelled after it', async () => {
  await taskGet(cancelHandle)
  assert.equal((await rpc('tasks/cancel', { taskId: cancelHandle })).status, 200)
  const t = await until(async () => {
    const x = (await taskGet(cancelHandle)).body.result
    return x.status === 'cancelled' ? x : undefined
  }, 10_000, 'cancelled')
  assert.equal(t.status, 'cancelled')
})

test('an event cursor and a multi-round state from before the restart work after it', async () => {
  const page = (await tool('get_updates', { since: cursor })).result
  assert.equal(page.isError, undefined, JSON.stringify(page))
  assert.ok(Array.isArray(page.structuredContent.events))
  const answered = (await tool('logout', {}, { requestState: mrtr.requestState, inputResponses: { [mrtr.key]: { action: 'accept', content: { unlink: false } } } })).result
  assert.equal(answered.resultType, 'complete', JSON.stringify(answered))
  assert.equal(answered.structuredContent.logged_out, false)
})

test('a tampered or expired handle, state or cursor is a clear error', async () => {
  const key = readFileSync(join(server.dataDir, STATE_KEY_FILE))
  const old = createSealer(key, () => Date.now() - 3 * 3600_000)
  const staleTask = old.seal('task', { n: 'wait_for_messages', a: { since: cursor, timeout_s: 1 } }, 60_000)
  const staleState = old.seal('mrtr', { m: 'tools/call', n: 'logout', h: 'x', a: {} }, 60_000)
  const otherKey = createSealer(Buffer.alloc(32, 7)).seal('task', { n: 'wait_for_messages', a: {} }, 60_000)
  const cases: Array<[string, () => Promise<{ status: number; body: Record<string, any> }>, string]> = [
    ['a tampered task handle', () => taskGet(tamper(waitHandle)), 'MCP_STATE_INVALID'],
    ['a task handle of another key', () => taskGet(otherKey), 'MCP_STATE_INVALID'],
    ['an expired task handle', () => taskGet(staleTask), 'MCP_STATE_EXPIRED'],
    ['a tampered requestState', () => rpc('tools/call', { name: 'logout', arguments: {}, requestState: tamper(mrtr.requestState) }), 'MCP_STATE_INVALID'],
    ['an expired requestState', () => rpc('tools/call', { name: 'logout', arguments: {}, requestState: staleState }), 'MCP_STATE_EXPIRED']
  ]
  for (const [name, send, code] of cases) {
    const r = await send()
    assert.equal(r.status, 400, name)
    assert.equal(r.body.error.data.code, code, name)
    assert.match(r.body.error.message, /sealed|task handle/, name)
  }
  const bad = (await tool('get_updates', { since: tamper(cursor) })).result
  assert.equal(bad.isError, true)
  assert.equal(bad.structuredContent.error.code, 'CURSOR_INVALID')
})

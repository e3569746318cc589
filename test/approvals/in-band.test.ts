// The MCP client's own user decides, end to end against the emulator, for a credential whose own setting
// holds its sends (MCP_CREDENTIALS with approval "sends"): the SDK v1 client (2025) answers the
// elicitation the waiting call sends; the SDK v2 client (2026) answers the input_required round and the
// call run again with the answer sends the edited text; a 2026 client with the tasks extension gets a task
// at once and polls it while the admin decides; a 2025 call with a progress token hears it still waits.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client'
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js'
import { startEmulator, type Emulator } from '../emulator/emulator.js'
import type { Person } from '../emulator/person.js'
import { call, startServerProcess, until, type ServerProcess } from '../helpers/server-process.js'
import { linkViaMcp } from '../helpers/link.js'

const ACCOUNT = '15550009301'
const STATIC = 'static-token-for-the-in-band-test-01234'
const AGENT = `wms_${'a'.repeat(43)}`
const V = '2026-07-28'
let emu: Emulator
let server: ServerProcess
let ada: Person
let v1: ClientV1
let v2: ClientV2
/** what each client's user answers, and the questions they were asked */
const answer = { v1: { action: 'accept', content: { approve: true } } as Record<string, unknown>, v2: { action: 'accept', content: { approve: true } } as Record<string, unknown> }
const asked = { v1: [] as string[], v2: [] as string[] }

type AnyResult = { content?: Array<{ text?: string }>; structuredContent?: Record<string, any>; isError?: boolean }
const textOf = (m: Person['inbox'][number]) => m.message.conversation ?? m.message.extendedTextMessage?.text
const approvals = async () => ((await (await fetch(`${server.url}/api/approvals`)).json()) as { approvals: Array<{ id: string; status: string; decided_by: string | null; preview: { text: string | null } }> }).approvals
const decide = (id: string, body: Record<string, unknown>) => fetch(`${server.url}/api/approvals/${id}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
const pending = (text: string) => until(async () => (await approvals()).find((a) => a.status === 'pending' && a.preview.text === text), 10_000, `"${text}" pending`)

let nextId = 1
async function rpc(method: string, params: Record<string, unknown>, caps: Record<string, unknown>, signal?: AbortSignal) {
  const name = method === 'tools/call' ? params.name : method.startsWith('tasks/') ? params.taskId : undefined
  const r = await fetch(`${server.url}/mcp`, {
    method: 'POST',
    headers: { authorization: `Bearer ${AGENT}`, 'content-type': 'application/json', accept: 'application/json', 'mcp-protocol-version': V, 'mcp-method': method, ...(typeof name === 'string' ? { 'mcp-name': name } : {}) },
    body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params: { ...params, _meta: { 'io.modelcontextprotocol/protocolVersion': V, 'io.modelcontextprotocol/clientCapabilities': caps } } }),
    ...(signal ? { signal } : {})
  })
  return (await r.json()) as Record<string, any>
}

before(async () => {
  emu = await startEmulator()
  ada = emu.person({ phone: '447700900931', name: 'Ada In Band' })
  emu.setHistory(ACCOUNT, { chats: [{ jid: ada.phone, messages: [{ text: 'earlier', id: 'IB1' }] }] })
  const creds = [{ name: 'careful agent', token: AGENT, toolsets: ['read', 'send'], chats: 'all', approval: 'sends' }]
  server = await startServerProcess(emu, { MCP_AUTH_TOKEN: STATIC, MCP_CREDENTIALS: JSON.stringify(creds) })
  const owner = await server.mcp({ token: STATIC })
  await linkViaMcp(owner, emu, ACCOUNT)
  await until(async () => (await call(owner, 'get_chat_by_id', { jid: ada.jid })).ok, 20_000, 'history stored')
  // the static token's sends are not held: only the credential's own setting asks
  assert.equal((await call(owner, 'send_message', { recipient_jid: ada.jid, message: 'from the owner, unheld' })).ok, true)
  await owner.close()
  const url = new URL(`${server.url}/mcp`)
  const headers = { authorization: `Bearer ${AGENT}` }
  v1 = new ClientV1({ name: 'in-band-v1', version: '1.0.0' }, { capabilities: { elicitation: {} } })
  v1.setRequestHandler(ElicitRequestSchema, async (r) => {
    asked.v1.push(r.params.message)
    return answer.v1 as { action: 'accept' }
  })
  await v1.connect(new TransportV1(url, { requestInit: { headers } }))
  v2 = new ClientV2({ name: 'in-band-v2', version: '1.0.0' }, { capabilities: { elicitation: {} }, versionNegotiation: { mode: { pin: V } } })
  v2.setRequestHandler('elicitation/create', async (r) => {
    asked.v2.push(String(r.params.message))
    return answer.v2 as { action: 'accept' }
  })
  await v2.connect(new TransportV2(url, { requestInit: { headers } }))
})

after(async () => {
  await v1?.close()
  await v2?.close()
  await server?.stop()
  await emu?.close()
})

test('2025: the v1 client\'s user approves in-band, and the message arrives', async () => {
  answer.v1 = { action: 'accept', content: { approve: true } }
  const r = (await v1.callTool({ name: 'send_message', arguments: { recipient_jid: ada.jid, message: 'approved in the v1 client' } })) as AnyResult
  assert.equal(r.isError, undefined, JSON.stringify(r.content))
  await ada.waitFor((m) => textOf(m) === 'approved in the v1 client')
  assert.match(asked.v1.at(-1)!, /approved in the v1 client/, 'the question shows the message')
  assert.equal((await approvals()).find((a) => a.preview.text === 'approved in the v1 client')?.decided_by, 'client')
})

test('2025: a rejection in the client carries its note back to the agent', async () => {
  answer.v1 = { action: 'accept', content: { approve: false, note: 'not today' } }
  const r = (await v1.callTool({ name: 'send_message', arguments: { recipient_jid: ada.jid, message: 'rejected in the v1 client' } })) as AnyResult
  assert.equal(r.isError, true)
  assert.match(r.content![0]!.text!, /^APPROVAL_REJECTED: .*not today/)
})

test('2026: the v2 client answers input_required, and the call run again sends the text as the user edited it', async () => {
  answer.v2 = { action: 'accept', content: { approve: true, message: 'edited in the v2 client' } }
  const before = (await approvals()).length
  const r = (await v2.callTool({ name: 'send_message', arguments: { recipient_jid: ada.jid, message: 'as the agent wrote it' } })) as AnyResult
  assert.equal(r.isError, undefined, JSON.stringify(r.content))
  await ada.waitFor((m) => textOf(m) === 'edited in the v2 client')
  assert.equal(ada.inbox.filter((m) => textOf(m) === 'as the agent wrote it').length, 0)
  assert.equal(asked.v2.length, 1)
  const list = await approvals()
  assert.equal(list.length, before + 1, 'the run with the answer found its request: one, not two')
  assert.equal(list.find((a) => a.preview.text === 'as the agent wrote it')?.status, 'approved')
})

test('2026 with tasks: the send answers with a task at once, polled while the admin decides', async () => {
  const caps = { extensions: { 'io.modelcontextprotocol/tasks': {} } }
  // at once: a call that held its request open for the decision would not answer within the 10 s
  const created = (await rpc('tools/call', { name: 'send_message', arguments: { recipient_jid: ada.jid, message: 'as a task' } }, caps, AbortSignal.timeout(10_000))).result
  assert.equal(created.resultType, 'task', JSON.stringify(created))
  assert.equal((await rpc('tasks/get', { taskId: created.taskId }, caps)).result.status, 'working')
  assert.equal((await decide((await pending('as a task')).id, { approve: true })).status, 200)
  const done = await until(async () => {
    const t = (await rpc('tasks/get', { taskId: created.taskId }, caps)).result
    return t.status === 'completed' ? t : undefined
  }, 10_000, 'the task completed')
  assert.equal(done.result.structuredContent.success, true)
  await ada.waitFor((m) => textOf(m) === 'as a task')
})

test('2025: a waiting call with a progress token hears that it waits, until the admin decides', async () => {
  const client = new ClientV1({ name: 'in-band-progress', version: '1.0.0' })
  await client.connect(new TransportV1(new URL(`${server.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${AGENT}` } } }))
  try {
    const ticks: Array<{ progress: number; total?: number; message?: string }> = []
    const call = client.callTool({ name: 'send_message', arguments: { recipient_jid: ada.jid, message: 'with progress' } }, undefined, { onprogress: (p) => void ticks.push(p) })
    const req = await pending('with progress')
    await until(() => ticks.length > 0, 15_000, 'a progress notification')
    assert.match(ticks[0]!.message!, /waiting for approval [A-Z2-9]{5}/)
    assert.equal(ticks[0]!.total, 600_000)
    await decide(req.id, { approve: true })
    assert.equal(((await call) as AnyResult).isError, undefined)
  } finally {
    await client.close()
  }
})

// The same user flows through both protocol eras against a server linked to the emulator: the SDK v2 client
// (@modelcontextprotocol/client) pinned to 2026-07-28, and the v1 client (@modelcontextprotocol/sdk) on
// 2025-11-25. Discover or initialize, list tools, a read tool, send_message reaching the person, an update
// heard on a subscription, and a confirmation asked of the user before logout.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client'
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { ElicitRequestSchema, ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js'
import { startEmulator, type Emulator } from '../emulator/emulator.js'
import type { Person } from '../emulator/person.js'
import { z } from 'zod'
import { until } from '../helpers/server-process.js'
import { startLinkedServer, type LinkedServer } from '../helpers/link.js'

const ACCOUNT = '15550007777'
let emu: Emulator
let linked: LinkedServer
let alice: Person
/** what each client's user answers when asked to confirm the logout */
const answers = { v1: false, v2: false }
const asked = { v1: 0, v2: 0 }
let v2: ClientV2
let v1: ClientV1
const updates = { v1: [] as string[], v2: [] as string[] }

type AnyResult = { content?: unknown; structuredContent?: unknown; isError?: unknown }
const structured = (r: unknown) => (r as AnyResult).structuredContent as Record<string, any>
const textOf = (m: Person['inbox'][number]) => m.message.conversation ?? m.message.extendedTextMessage?.text

before(async () => {
  emu = await startEmulator()
  alice = emu.person({ phone: '15550008888', name: 'Alice Era' })
  emu.setHistory(ACCOUNT, { chats: [{ jid: alice.phone, messages: [{ text: 'hello from the past', id: 'E1' }] }] })
  // fixtures on: the subscription check needs the fixture that announces a resource update
  linked = await startLinkedServer(emu, ACCOUNT, { MCP_CONFORMANCE_FIXTURES: 'true' })
  const url = new URL(`${linked.server.url}/mcp`)

  v2 = new ClientV2({ name: 'era-test-v2', version: '1.0.0' }, { capabilities: { elicitation: {} }, versionNegotiation: { mode: { pin: '2026-07-28' } } })
  v2.setRequestHandler('elicitation/create', async () => {
    asked.v2++
    return { action: 'accept', content: { unlink: answers.v2 } }
  })
  v2.setNotificationHandler('notifications/resources/updated', (n) => void updates.v2.push(n.params.uri))
  await v2.connect(new TransportV2(url))

  v1 = new ClientV1({ name: 'era-test-v1', version: '1.0.0' }, { capabilities: { elicitation: {} } })
  v1.setRequestHandler(ElicitRequestSchema, async () => {
    asked.v1++
    return { action: 'accept', content: { unlink: answers.v1 } }
  })
  v1.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updates.v1.push(n.params.uri))
  await v1.connect(new TransportV1(url))
  await until(async () => structured(await v1.callTool({ name: 'list_chats', arguments: {} })).chats.some((c: { jid: string }) => c.jid === alice.jid), 20_000, 'history stored')
})

after(async () => {
  await v2?.close()
  await v1?.close()
  await linked?.close()
  await emu?.close()
})

test('each client speaks its own era: v2 discovers 2026-07-28 without a session, v1 initializes 2025-11-25', async () => {
  assert.equal(v2.getNegotiatedProtocolVersion(), '2026-07-28')
  assert.equal(v2.getServerVersion()?.name, 'whatsapp-mcp-stream')
  const d = await v2.discover()
  assert.ok(d.supportedVersions.includes('2025-11-25'))
  assert.equal(v1.getServerVersion()?.name, 'whatsapp-mcp-stream')
  assert.ok(linked.server.logs.length > 0)
})

test('both eras list the same tools with the same schemas', async () => {
  const [a, b] = await Promise.all([v2.listTools(), v1.listTools()])
  assert.ok(a.tools.length > 29)
  assert.deepEqual(a.tools.map((t) => t.name), b.tools.map((t) => t.name))
  const send = (l: typeof b.tools) => l.find((t) => t.name === 'send_message')!
  assert.deepEqual(send(a.tools as typeof b.tools).inputSchema, send(b.tools).inputSchema)
})

test('a read tool gives the same answer in both eras', async () => {
  const [a, b] = await Promise.all([v2.callTool({ name: 'list_chats', arguments: { limit: 10 } }), v1.callTool({ name: 'list_chats', arguments: { limit: 10 } })])
  assert.deepEqual(structured(a), structured(b))
  assert.ok(structured(a).chats.some((c: { jid: string }) => c.jid === alice.jid))
})

test('the chat template completes a JID from a piece of the chat name, in both eras', async () => {
  const ask = { ref: { type: 'ref/resource' as const, uri: 'whatsapp://chats/{jid}' }, argument: { name: 'jid', value: 'Alice' } }
  const [a, b] = await Promise.all([v2.complete(ask), v1.complete(ask)])
  assert.deepEqual(a.completion.values, [alice.jid])
  assert.deepEqual(b.completion.values, [alice.jid])
})

test('send_message from either era reaches the person', async () => {
  for (const [name, client] of [['v2', v2], ['v1', v1]] as const) {
    const r = (await client.callTool({ name: 'send_message', arguments: { recipient_jid: alice.jid, message: `hello over ${name}` } })) as AnyResult
    assert.equal(r.isError, undefined, JSON.stringify(r.content))
    await alice.waitFor((m) => textOf(m) === `hello over ${name}`)
  }
})

test('2025: a send_message whose reply stream broke after the priming event is answered on the resumed stream, and sent once', async () => {
  let cut = 0
  // cuts every tools/call reply stream right after its priming event, as a flaky network would
  const flaky: typeof fetch = async (input, init) => {
    const r = await fetch(input, init)
    const isCall = init?.method === 'POST' && typeof init.body === 'string' && init.body.includes('"tools/call"')
    if (!isCall || !(r.headers.get('content-type') ?? '').includes('text/event-stream')) return r
    cut++
    const reader = r.body!.getReader()
    const body = new ReadableStream<Uint8Array>({
      async pull(ctl) {
        const { value, done } = await reader.read()
        if (done) return ctl.close()
        ctl.enqueue(value)
        if (new TextDecoder().decode(value).includes('retry:')) {
          await reader.cancel()
          ctl.error(new Error('connection reset'))
        }
      }
    })
    return new Response(body, { status: r.status, headers: r.headers })
  }
  const client = new ClientV1({ name: 'flaky', version: '1' })
  // x-mcp-reply: sse asks for a streamed reply, as a server set to SSE replies would give anyway
  await client.connect(new TransportV1(new URL(`${linked.server.url}/mcp`), { fetch: flaky, requestInit: { headers: { 'x-mcp-reply': 'sse' } }, reconnectionOptions: { initialReconnectionDelay: 50, maxReconnectionDelay: 200, reconnectionDelayGrowFactor: 1, maxRetries: 5 } }))
  try {
    const r = (await client.callTool({ name: 'send_message', arguments: { recipient_jid: alice.jid, message: 'through a broken stream' } }, undefined, { timeout: 10_000 })) as AnyResult
    assert.equal(cut, 1, 'the reply stream was cut')
    assert.equal(r.isError, undefined, JSON.stringify(r.content))
    assert.ok(structured(r).message_id)
    await alice.waitFor((m) => textOf(m) === 'through a broken stream')
    await new Promise((res) => setTimeout(res, 300))
    assert.equal(alice.inbox.filter((m) => textOf(m) === 'through a broken stream').length, 1, 'sent once')
  } finally {
    await client.close()
  }
})

test('2026 with the tasks extension: a wait polled to its result and one cancelled (SDK v2 client); 2025 waits in the call (v1)', async () => {
  const EXT = 'io.modelcontextprotocol/tasks'
  const tasks = new ClientV2({ name: 'era-test-tasks', version: '1.0.0' }, { capabilities: { extensions: { [EXT]: {} } }, versionNegotiation: { mode: { pin: '2026-07-28' } } })
  await tasks.connect(new TransportV2(new URL(`${linked.server.url}/mcp`)))
  try {
    // 2.4.0 has no typed tasks API and refuses resultType "task" on tools/call; tasks/get and tasks/cancel
    // it sends as extension methods with a schema of ours, and polls and cancels the task with them
    const Task = z.object({ taskId: z.string(), status: z.string(), result: z.unknown().optional() }).loose()
    const start = async (contains: string): Promise<string> => {
      // so the call that creates the task goes as raw HTTP, with what the v2 client puts in _meta
      const params = { name: 'wait_for_messages', arguments: { chat_id: alice.jid, contains, timeout_s: 60 }, _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': { extensions: { [EXT]: {} } } } }
      const r = await fetch(`${linked.server.url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'wait_for_messages' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params }) })
      const body = (await r.json()) as { result: { resultType: string; taskId: string } }
      assert.equal(body.result.resultType, 'task')
      await assert.rejects(tasks.request({ method: 'tools/call', params: { name: 'wait_for_messages', arguments: { chat_id: alice.jid, contains: 'not through 2.4.0', timeout_s: 1 } } }, Task), /task/, 'if 2.4.0 ever takes it, create the task through it')
      return body.result.taskId
    }
    const get = (taskId: string) => tasks.request({ method: 'tasks/get', params: { taskId } }, Task)
    const polled = await start('task ping')
    {
      assert.equal((await get(polled)).status, 'working')
      await alice.sendText(`${ACCOUNT}@s.whatsapp.net`, 'task ping')
      const done = await until(async () => ((await get(polled)).status === 'completed' ? get(polled) : undefined), 15_000, 'the task completed')
      assert.equal(((done.result as AnyResult).structuredContent as { messages: Array<{ body?: string }> }).messages[0]?.body, 'task ping')
      const cancelled = await start('never comes')
      await tasks.request({ method: 'tasks/cancel', params: { taskId: cancelled } }, z.object({}).loose())
      assert.equal((await until(async () => ((await get(cancelled)).status === 'cancelled' ? get(cancelled) : undefined), 10_000, 'cancelled')).status, 'cancelled')
    }
    // the same call from a 2025 session waits inside the call; an aborted one is cancelled on the server
    const waiting = v1.callTool({ name: 'wait_for_messages', arguments: { chat_id: alice.jid, contains: 'v1 ping', timeout_s: 60 } })
    await new Promise((r) => setTimeout(r, 300))
    await alice.sendText(`${ACCOUNT}@s.whatsapp.net`, 'v1 ping')
    assert.equal((structured(await waiting) as { messages: Array<{ body?: string }> }).messages[0]?.body, 'v1 ping')
    const ac = new AbortController()
    const aborted = v1.callTool({ name: 'wait_for_messages', arguments: { chat_id: alice.jid, contains: 'never', timeout_s: 60 } }, undefined, { signal: ac.signal })
    setTimeout(() => ac.abort(), 200)
    await assert.rejects(aborted)
  } finally {
    await tasks.close()
  }
})

test('an announced resource update reaches a 2026 listen stream and a subscribed 2025 session', async () => {
  const sub = await v2.listen({ resourceSubscriptions: ['test://static-text'] })
  assert.deepEqual(sub.honoredFilter.resourceSubscriptions, ['test://static-text'])
  await v1.subscribeResource({ uri: 'test://static-text' })
  await v2.callTool({ name: 'test_trigger_resource_update', arguments: {} })
  await until(() => updates.v2.length > 0 && updates.v1.length > 0, 10_000, 'both clients heard the update')
  assert.deepEqual([updates.v2[0], updates.v1[0]], ['test://static-text', 'test://static-text'])
  await sub.close()
  assert.equal(await sub.closed, 'local')
})

test('logout asks the user first in both eras; a declined confirmation keeps the link', async () => {
  for (const [name, client] of [['v2', v2], ['v1', v1]] as const) {
    const r = (await client.callTool({ name: 'logout', arguments: {} })) as AnyResult
    assert.equal(asked[name], 1, name)
    assert.equal(structured(r).logged_out, false, name)
  }
  const st = (await v1.callTool({ name: 'check_auth_status', arguments: {} })) as AnyResult
  assert.equal(structured(st).ready, true)
})

test('a confirmed logout over the 2026 multi-round flow unlinks', async () => {
  answers.v2 = true
  const r = (await v2.callTool({ name: 'logout', arguments: {} })) as AnyResult
  assert.equal(asked.v2, 2)
  assert.equal(structured(r).logged_out, true, JSON.stringify(r))
  await until(async () => structured((await v1.callTool({ name: 'check_auth_status', arguments: {} })) as AnyResult).linked === false, 15_000, 'unlinked')
})

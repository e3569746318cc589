// The tasks extension over real HTTP against the real server (the SDK v2 client 2.4.0 has no tasks API: it
// rejects resultType "task"): a task polled to its result, one cancelled, one waiting for input, and the
// gate for clients that did not declare the extension.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServerProcess, until, type ServerProcess } from '../../helpers/server-process.js'

const V = '2026-07-28'
const EXT = { extensions: { 'io.modelcontextprotocol/tasks': {} }, elicitation: {} }
let server: ServerProcess
let nextId = 1

async function rpc(method: string, params: Record<string, unknown>, caps: Record<string, unknown> = EXT): Promise<{ status: number; body: Record<string, any> }> {
  const name = method === 'tools/call' ? params.name : method.startsWith('tasks/') ? params.taskId : undefined
  const r = await fetch(`${server.url}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', 'mcp-protocol-version': V, 'mcp-method': method, ...(typeof name === 'string' ? { 'mcp-name': name } : {}) },
    body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params: { ...params, _meta: { 'io.modelcontextprotocol/protocolVersion': V, 'io.modelcontextprotocol/clientCapabilities': caps } } })
  })
  return { status: r.status, body: (await r.json()) as Record<string, any> }
}

const get = async (taskId: string) => (await rpc('tasks/get', { taskId })).body.result
const settled = (taskId: string) => until(async () => {
  const t = await get(taskId)
  return ['completed', 'failed', 'cancelled'].includes(t.status) ? t : undefined
}, 15_000, `task ${taskId} settled`)

before(async () => {
  server = await startServerProcess(undefined, { WA_WS_URL: 'ws://127.0.0.1:9/ws', MCP_CONFORMANCE_FIXTURES: 'true' })
})

after(async () => {
  await server?.stop()
})

test('server/discover advertises the tasks extension and tools/list says which tools run as tasks', async () => {
  const d = (await rpc('server/discover', {})).body.result
  assert.deepEqual(d.capabilities.extensions['io.modelcontextprotocol/tasks'], {})
  const tools = (await rpc('tools/list', {})).body.result.tools as Array<{ name: string; execution?: { taskSupport: string } }>
  assert.equal(tools.find((t) => t.name === 'slow_compute')?.execution?.taskSupport, 'optional')
  assert.equal(tools.find((t) => t.name === 'failing_job')?.execution?.taskSupport, 'required')
  assert.equal(tools.find((t) => t.name === 'greet')?.execution, undefined)
})

test('a task is created at once, polled while working, and inlines its result when completed', async () => {
  const created = (await rpc('tools/call', { name: 'slow_compute', arguments: { seconds: 1, label: 'polled' } })).body.result
  assert.equal(created.resultType, 'task')
  assert.equal(created.status, 'working')
  assert.ok(Number.isInteger(created.ttlMs) && Number.isInteger(created.pollIntervalMs))
  const working = await get(created.taskId)
  assert.equal(working.status, 'working')
  assert.equal(working.result, undefined)
  const done = await settled(created.taskId)
  assert.equal(done.status, 'completed')
  assert.equal(done.resultType, 'complete')
  assert.match(done.result.content[0].text, /computed polled after 1s/)
})

test('a cancelled task stops and stays cancelled; cancelling again is the same empty ack', async () => {
  const created = (await rpc('tools/call', { name: 'slow_compute', arguments: { seconds: 60 } })).body.result
  for (let i = 0; i < 2; i++) assert.deepEqual((await rpc('tasks/cancel', { taskId: created.taskId })).body.result, { resultType: 'complete' })
  const t = await settled(created.taskId)
  assert.equal(t.status, 'cancelled')
  assert.equal(t.result, undefined)
})

test('a task waiting for the user shows its questions, takes answers one by one, then completes', async () => {
  const created = (await rpc('tools/call', { name: 'multi_input', arguments: {} })).body.result
  const waiting = await until(async () => {
    const t = await get(created.taskId)
    return t.status === 'input_required' ? t : undefined
  }, 10_000, 'input_required')
  assert.deepEqual(Object.keys(waiting.inputRequests).sort(), ['first', 'second'])
  await rpc('tasks/update', { taskId: created.taskId, inputResponses: { first: { action: 'accept', content: { name: 'Ada' } }, stray: { x: 1 } } })
  const half = await get(created.taskId)
  assert.equal(half.status, 'input_required')
  assert.deepEqual(Object.keys(half.inputRequests), ['second'])
  await rpc('tasks/update', { taskId: created.taskId, inputResponses: { second: { action: 'accept', content: { confirm: true } } } })
  const done = await settled(created.taskId)
  assert.equal(done.result.content[0].text, 'Ada true')
})

test('without the extension: tasks/* are -32021, optional task tools run as plain calls, required ones are refused', async () => {
  const plain = { elicitation: {} }
  for (const method of ['tasks/get', 'tasks/update', 'tasks/cancel']) {
    const r = await rpc(method, { taskId: 'x', inputResponses: {} }, plain)
    assert.equal(r.status, 400, method)
    assert.equal(r.body.error.code, -32021, method)
    assert.deepEqual(r.body.error.data.requiredCapabilities, { extensions: { 'io.modelcontextprotocol/tasks': {} } }, method)
  }
  const sync = (await rpc('tools/call', { name: 'slow_compute', arguments: { seconds: 0 } }, plain)).body.result
  assert.equal(sync.resultType, 'complete')
  assert.equal(sync.taskId, undefined)
  assert.equal((await rpc('tools/call', { name: 'failing_job', arguments: {} }, plain)).body.error.code, -32021)
})

test('an unknown or forged task id is -32602 for every tasks method', async () => {
  for (const method of ['tasks/get', 'tasks/update', 'tasks/cancel']) {
    for (const taskId of ['nope', '00000000-0000-0000-0000-000000000000']) {
      const r = await rpc(method, { taskId, inputResponses: {} })
      assert.equal(r.body.error?.code, -32602, `${method} ${taskId}`)
    }
  }
})

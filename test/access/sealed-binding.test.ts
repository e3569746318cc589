// Sealed 2026 state belongs to the principal it was minted for: a requestState handed out to one
// credential and a task started by one are refused to another (the state as foreign, the task as unknown),
// while the owner goes on with them. Real HTTP against the real server.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js'

const V = '2026-07-28'
const A = 'wms_firstcredentialforthebindingtest_01'
const B = 'wms_secondcredentialforthebindingtest_2'
const TASKS = { extensions: { 'io.modelcontextprotocol/tasks': {} }, elicitation: {} }
let server: ServerProcess
let id = 1

async function post(token: string, method: string, params: Record<string, unknown>, caps: Record<string, unknown> = { elicitation: {} }) {
  const name = method === 'tools/call' ? params.name : method.startsWith('tasks/') ? params.taskId : undefined
  const r = await fetch(`${server.url}/mcp`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json', 'mcp-protocol-version': V, 'mcp-method': method, ...(name ? { 'mcp-name': String(name) } : {}) },
    body: JSON.stringify({ jsonrpc: '2.0', id: id++, method, params: { ...params, _meta: { 'io.modelcontextprotocol/protocolVersion': V, 'io.modelcontextprotocol/clientCapabilities': caps } } })
  })
  return { status: r.status, body: (await r.json()) as Record<string, any> }
}

before(async () => {
  // the fixture tools name no toolset, so they are the admin toolset's
  const creds = [A, B].map((token, i) => ({ name: `c${i}`, token, toolsets: ['admin', 'read'] }))
  server = await startServerProcess(undefined, { WA_WS_URL: 'ws://127.0.0.1:9/ws', MCP_CONFORMANCE_FIXTURES: 'true', MCP_CREDENTIALS: JSON.stringify(creds) })
})

after(async () => {
  await server?.stop()
})

test('a requestState minted for one credential is MCP_STATE_INVALID for another, and good for its owner', async () => {
  const first = await post(A, 'tools/call', { name: 'confirm_delete', arguments: {} })
  assert.equal(first.body.result.resultType, 'input_required')
  const state = first.body.result.requestState as string
  const answer = { confirm: { action: 'accept', content: { confirm: true } } }
  const foreign = await post(B, 'tools/call', { name: 'confirm_delete', arguments: {}, requestState: state, inputResponses: answer })
  assert.equal(foreign.status, 400)
  assert.equal(foreign.body.error.data.code, 'MCP_STATE_INVALID')
  const own = await post(A, 'tools/call', { name: 'confirm_delete', arguments: {}, requestState: state, inputResponses: answer })
  assert.equal(own.status, 200, JSON.stringify(own.body))
  assert.equal(own.body.result.content[0].text, 'deleted=true')
})

test('a task started by one credential is unknown to another, for get, update and cancel', async () => {
  const started = await post(A, 'tools/call', { name: 'slow_compute', arguments: { seconds: 1 } }, TASKS)
  assert.equal(started.body.result.resultType, 'task', JSON.stringify(started.body))
  const taskId = started.body.result.taskId as string
  for (const [method, extra] of [['tasks/get', {}], ['tasks/update', { inputResponses: {} }], ['tasks/cancel', {}]] as const) {
    const r = await post(B, method, { taskId, ...extra }, TASKS)
    assert.equal(r.status, 400, method)
    assert.match(r.body.error.message, /no task/, method)
  }
  const mine = await post(A, 'tasks/get', { taskId }, TASKS)
  assert.equal(mine.status, 200)
  assert.notEqual(mine.body.result.status, 'cancelled')
})

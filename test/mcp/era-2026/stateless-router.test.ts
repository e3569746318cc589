// The stateless revision (2026-07-28) over real HTTP against the real server: discover, the removed
// methods, multi-round input whose state survives a restart, and every way a sealed state can be refused.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { startServerProcess, type ServerProcess } from '../../helpers/server-process.js'
import { createSealer } from '../../../src/mcp/era-2026/sealed-state.js'
import { STATE_KEY_FILE } from '../../../src/mcp/era-2026/state-key.js'

const V = '2026-07-28'
const CAPS = { elicitation: {}, sampling: {} }
let server: ServerProcess
let nextId = 1

interface Answer {
  status: number
  body: Record<string, any>
  contentType: string
}

async function post(method: string, params: Record<string, unknown> = {}, opts: { caps?: Record<string, unknown>; headers?: Record<string, string>; accept?: string; raw?: unknown } = {}): Promise<Answer> {
  const name = method === 'tools/call' || method === 'prompts/get' ? params.name : method === 'resources/read' ? params.uri : undefined
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: opts.accept ?? 'application/json, text/event-stream', 'mcp-protocol-version': V, 'mcp-method': method, ...(name ? { 'mcp-name': String(name) } : {}), ...opts.headers }
  const body = opts.raw ?? { jsonrpc: '2.0', id: nextId++, method, params: { ...params, _meta: { 'io.modelcontextprotocol/protocolVersion': V, 'io.modelcontextprotocol/clientCapabilities': opts.caps ?? CAPS, ...(params._meta as object | undefined) } } }
  const r = await fetch(`${server.url}/mcp`, { method: 'POST', headers, body: JSON.stringify(body) })
  const text = await r.text()
  const contentType = r.headers.get('content-type') ?? ''
  const json = contentType.includes('text/event-stream')
    ? JSON.parse(text.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).filter((d) => d.includes('"id"')).pop()!)
    : JSON.parse(text)
  return { status: r.status, body: json, contentType }
}

const call = (name: string, extra: Record<string, unknown> = {}, opts = {}) => post('tools/call', { name, arguments: {}, ...extra }, opts)
const start = (dataDir?: string) => startServerProcess(undefined, { WA_WS_URL: 'ws://127.0.0.1:9/ws', MCP_CONFORMANCE_FIXTURES: 'true' }, dataDir)

before(async () => {
  server = await start()
})

after(async () => {
  await server?.stop()
})

test('server/discover names every version, the capabilities and the server, with caching hints', async () => {
  const r = await post('server/discover')
  assert.equal(r.status, 200)
  const res = r.body.result
  assert.equal(res.resultType, 'complete')
  assert.deepEqual(res.supportedVersions.slice(0, 2), [V, '2025-11-25'])
  assert.ok(res.capabilities.tools)
  assert.equal(res._meta['io.modelcontextprotocol/serverInfo'].name, 'whatsapp-mcp-stream')
  assert.equal(typeof res.ttlMs, 'number')
  assert.ok(['private', 'public'].includes(res.cacheScope))
})

test('the methods the revision removed, and unknown ones, are 404 with -32601 and the request id', async () => {
  for (const method of ['initialize', 'ping', 'logging/setLevel', 'resources/subscribe', 'resources/unsubscribe', 'tasks/list', 'no/such']) {
    const r = await post(method)
    assert.equal(r.status, 404, method)
    assert.equal(r.body.error.code, -32601, method)
    assert.equal(r.body.error.data.code, 'MCP_METHOD_NOT_FOUND', method)
    assert.equal(typeof r.body.id, 'number', method)
  }
})

test('a batch is not a stateless request: 400 Invalid Request', async () => {
  const r = await post('tools/list', {}, { raw: [{ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }] })
  assert.equal(r.status, 400)
  assert.equal(r.body.error.code, -32600)
})

test('a tool that needs a capability the client did not declare is 400 with -32021 naming it', async () => {
  const r = await call('test_missing_capability', {}, { caps: { elicitation: {} } })
  assert.equal(r.status, 400)
  assert.equal(r.body.error.code, -32021)
  assert.deepEqual(r.body.error.data.requiredCapabilities, { sampling: {} })
  assert.equal(r.body.error.data.code, 'MCP_CLIENT_CAPABILITY_MISSING')
})

test('progress arrives on an SSE reply when the client accepts one; a JSON-only client gets the plain result', async () => {
  const sse = await call('test_tool_with_progress', { _meta: { progressToken: 't1' } })
  assert.match(sse.contentType, /text\/event-stream/)
  assert.equal(sse.body.result.resultType, 'complete')
  const json = await call('test_tool_with_progress', { _meta: { progressToken: 't2' } }, { accept: 'application/json' })
  assert.match(json.contentType, /application\/json/)
  assert.equal(json.body.result.resultType, 'complete')
})

test('a multi-round request state minted before a restart is honoured after it (the key lives in the data folder, 0600)', async () => {
  const first = await call('test_input_required_result_multi_round')
  assert.equal(first.body.result.resultType, 'input_required')
  assert.deepEqual(Object.keys(first.body.result.inputRequests), ['step1'])
  const keyPath = join(server.dataDir, STATE_KEY_FILE)
  assert.equal(statSync(keyPath).mode & 0o777, 0o600)
  await server.stop()
  server = await start(server.dataDir)
  const second = await call('test_input_required_result_multi_round', { inputResponses: { step1: { action: 'accept', content: { name: 'Ada' } } }, requestState: first.body.result.requestState })
  assert.equal(second.body.result.resultType, 'input_required', JSON.stringify(second.body))
  assert.deepEqual(Object.keys(second.body.result.inputRequests), ['step2'])
  const third = await call('test_input_required_result_multi_round', { inputResponses: { step2: { action: 'accept', content: { color: 'green' } } }, requestState: second.body.result.requestState })
  assert.equal(third.body.result.resultType, 'complete')
  assert.equal(third.body.result.content[0].text, 'Ada likes green')
})

test('a tampered, foreign, misplaced or expired request state gets a clear -32602 error and the tool does not run', async () => {
  const first = await call('test_input_required_result_request_state')
  const state: string = first.body.result.requestState
  const key = Buffer.from(readFileSync(join(server.dataDir, STATE_KEY_FILE), 'utf8'), 'base64')
  const expired = createSealer(key, () => Date.now() - 3_600_000).seal('mrtr', { m: 'tools/call', n: 'test_input_required_result_request_state', h: 'x', a: {} }, 1000)
  const answer = { confirm: { action: 'accept', content: { ok: true } } }
  const rows: Array<[string, string, Record<string, unknown>, string]> = [
    ['tampered', 'test_input_required_result_request_state', { requestState: `${state}-TAMPERED` }, 'MCP_STATE_INVALID'],
    ['not sealed at all', 'test_input_required_result_request_state', { requestState: 'hello' }, 'MCP_STATE_INVALID'],
    ['another tool', 'test_input_required_result_tampered_state', { requestState: state }, 'MCP_STATE_INVALID'],
    ['other arguments', 'test_input_required_result_request_state', { requestState: state, arguments: { x: 1 } }, 'MCP_STATE_INVALID'],
    ['expired', 'test_input_required_result_request_state', { requestState: expired }, 'MCP_STATE_EXPIRED']
  ]
  for (const [name, tool, extra, code] of rows) {
    const r = await call(tool, { inputResponses: answer, ...extra })
    assert.equal(r.status, 400, name)
    assert.equal(r.body.error?.code, -32602, `${name}: ${JSON.stringify(r.body)}`)
    assert.equal(r.body.error.data.code, code, name)
  }
  const ok = await call('test_input_required_result_request_state', { inputResponses: answer, requestState: state })
  assert.match(ok.body.result.content[0].text, /state-ok/)
})

test('input responses that are not result objects are -32602; missing ones are asked for again', async () => {
  for (const bad of [null, 5, 'x', [], { user_name: 12345 }, { user_name: null }]) {
    const r = await call('test_input_required_result_elicitation', { inputResponses: bad })
    assert.equal(r.body.error?.code, -32602, JSON.stringify(bad))
  }
  const again = await call('test_input_required_result_elicitation', { inputResponses: { wrong_key: { action: 'accept', content: {} } } })
  assert.equal(again.body.result.resultType, 'input_required')
  assert.deepEqual(Object.keys(again.body.result.inputRequests), ['user_name'])
})

// Bounded memory for everything an MCP client sends: initialize's clientInfo and capabilities, the byte
// budget of all sessions together, batch arrays, and bodies that would keep JSON.parse busy. Real HTTP against
// the real server process.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js'

const ACCEPT = 'application/json, text/event-stream'
const OLD = '2025-03-26' // the newest version that still has batches
let server: ServerProcess
let budgeted: ServerProcess

const init = (params: Record<string, unknown>, version = OLD) => ({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: version, capabilities: {}, clientInfo: { name: 't', version: '1' }, ...params } })

async function post(base: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; sid: string | null }> {
  const r = await fetch(`${base}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: ACCEPT, ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) })
  const text = await r.text()
  return { status: r.status, body: text ? JSON.parse(text) : undefined, sid: r.headers.get('mcp-session-id') }
}

async function session(base: string, params: Record<string, unknown> = {}): Promise<Record<string, string>> {
  const r = await post(base, init(params))
  assert.equal(r.status, 200, JSON.stringify(r.body))
  const h = { 'mcp-session-id': r.sid!, 'mcp-protocol-version': OLD }
  assert.equal((await post(base, { jsonrpc: '2.0', method: 'notifications/initialized' }, h)).status, 202)
  return h
}

const heapAfterGc = async (sp: ServerProcess): Promise<number> => ((await (await fetch(`${sp.url}/api/status?gc=1`)).json()) as { process: { heap_used: number } }).process.heap_used
const nested = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`

before(async () => {
  const env = { WA_WS_URL: 'ws://127.0.0.1:9/ws' }
  ;[server, budgeted] = await Promise.all([
    startServerProcess(undefined, env),
    startServerProcess(undefined, { ...env, MCP_SESSIONS_MAX_MB: '2' }, undefined, ['--expose-gc'])
  ])
})

after(async () => {
  await Promise.all([server?.stop(), budgeted?.stop()])
})

test('oversized clientInfo, capabilities, batches and bodies are one clear JSON-RPC error each, never kept', async () => {
  const h = await session(server.url)
  const ping = (i: number) => ({ jsonrpc: '2.0', id: i, method: 'ping' })
  const rows: Array<{ name: string; body: unknown; headers?: Record<string, string>; rpc: number; code: string; field?: string }> = [
    { name: 'clientInfo.name past 512 characters', body: init({ clientInfo: { name: 'n'.repeat(513), version: '1' } }), rpc: -32602, code: 'MCP_PARAMS_TOO_LARGE', field: 'clientInfo.name' },
    { name: 'clientInfo.version past 512 characters', body: init({ clientInfo: { name: 'n', version: '1'.repeat(4000) } }), rpc: -32602, code: 'MCP_PARAMS_TOO_LARGE', field: 'clientInfo.version' },
    { name: 'a long string nested inside clientInfo', body: init({ clientInfo: { name: 'n', version: '1', icons: [{ src: `data:image/png;base64,${'A'.repeat(10_000)}` }] } }), rpc: -32602, code: 'MCP_PARAMS_TOO_LARGE', field: 'clientInfo.icons.0.src' },
    { name: 'clientInfo past 4 KB in many short fields', body: init({ clientInfo: { name: 'n', version: '1', ...Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, 'v'.repeat(50)])) } }), rpc: -32602, code: 'MCP_PARAMS_TOO_LARGE', field: 'clientInfo' },
    { name: 'clientInfo as a huge array', body: init({ clientInfo: Array.from({ length: 5000 }, () => 1) }), rpc: -32602, code: 'MCP_PARAMS_TOO_LARGE', field: 'clientInfo' },
    { name: 'capabilities past 16 KB in one string', body: init({ capabilities: { experimental: { blob: 'x'.repeat(17_000) } } }), rpc: -32602, code: 'MCP_PARAMS_TOO_LARGE', field: 'capabilities' },
    { name: 'capabilities past 16 KB in many keys', body: init({ capabilities: Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`cap${i}`, {}])) }), rpc: -32602, code: 'MCP_PARAMS_TOO_LARGE', field: 'capabilities' },
    { name: 'a batch of 101 messages', body: Array.from({ length: 101 }, (_, i) => ping(i)), headers: h, rpc: -32600, code: 'MCP_BATCH_TOO_LARGE' },
    { name: 'a batch of 100,000 messages', body: Array.from({ length: 100_000 }, (_, i) => ping(i)), headers: h, rpc: -32600, code: 'MCP_BATCH_TOO_LARGE' },
    { name: 'params nested 65 levels', body: `{"jsonrpc":"2.0","id":1,"method":"ping","params":{"a":${nested(64)}}}`, headers: h, rpc: -32600, code: 'MCP_PARAMS_TOO_LARGE' },
    { name: 'a body of ten million brackets (5 s of JSON.parse)', body: nested(5_000_000), headers: h, rpc: -32600, code: 'MCP_PARAMS_TOO_LARGE' },
    { name: 'params with 60,000 values', body: { jsonrpc: '2.0', id: 1, method: 'ping', params: { a: Array.from({ length: 60_000 }, () => 0) } }, headers: h, rpc: -32600, code: 'MCP_PARAMS_TOO_LARGE' }
  ]
  for (const row of rows) {
    const r = await post(server.url, row.body, row.headers)
    assert.equal(r.status, 400, row.name)
    assert.equal(r.sid, null, `${row.name}: no session is made`)
    assert.equal(r.body.error.code, row.rpc, row.name)
    assert.equal(r.body.error.data.code, row.code, row.name)
    assert.match(r.body.error.message, /at most|deeper than|more than/, row.name)
    if (row.field) assert.equal(r.body.error.data.field, row.field, row.name)
  }
  // right at the limits is fine: a 100-message batch, clientInfo of about 4 KB, 16 KB of capabilities
  const batch = await post(server.url, Array.from({ length: 100 }, (_, i) => ping(i)), h)
  assert.equal(batch.status, 200)
  assert.equal(batch.body.length, 100)
  await session(server.url, { clientInfo: { name: 'n'.repeat(512), version: '1', title: 't'.repeat(512), d1: 'd'.repeat(500), d2: 'd'.repeat(500), d3: 'd'.repeat(500), d4: 'd'.repeat(500), d5: 'd'.repeat(500) }, capabilities: { experimental: { blob: 'x'.repeat(16_000) } } })
  assert.equal((await fetch(`${server.url}/healthz`)).status, 200)
})

test('many sessions with large but allowed clientInfo stay within MCP_SESSIONS_MAX_MB; the server keeps serving', async () => {
  const base = budgeted.url
  const first = await session(base)
  const heapBefore = await heapAfterGc(budgeted)
  // 1,500 sessions of about 19 KB each would hold 28 MB; the budget is 2 MB
  const big = (i: number) => ({ clientInfo: { name: `client-${i}-${'n'.repeat(400)}`, version: '1', title: 't'.repeat(500), ...Object.fromEntries(Array.from({ length: 6 }, (_, k) => [`d${k}`, 'd'.repeat(480)])) }, capabilities: { experimental: { blob: `${i}${'x'.repeat(15_500)}` } } })
  let last: Record<string, string> = {}
  for (let i = 0; i < 1500; i += 25) {
    const made = await Promise.all(Array.from({ length: 25 }, (_, j) => session(base, big(i + j))))
    last = made.at(-1)!
  }
  const heapAfter = await heapAfterGc(budgeted)
  const grown = heapAfter - heapBefore
  if (process.env.SHOW_FIGURES) process.stderr.write(`heap growth for 1,500 large sessions under a 2 MB budget: ${(grown / 1048576).toFixed(1)} MB\n`)
  assert.ok(grown < 10 * 1024 * 1024, `the heap grew ${(grown / 1048576).toFixed(1)} MB for a 2 MB session budget`)
  const st = (await (await fetch(`${base}/api/status`)).json()) as { mcp: { sessions: number } }
  assert.ok(st.mcp.sessions < 200, `${st.mcp.sessions} sessions live`)
  // the least recently used went first; the newest still works
  assert.equal((await post(base, { jsonrpc: '2.0', id: 9, method: 'ping' }, first)).status, 404)
  const pong = await post(base, { jsonrpc: '2.0', id: 9, method: 'ping' }, last)
  assert.equal(pong.status, 200)
  assert.deepEqual(pong.body.result, {})
})

test('a /healthz sent while a full batch is being processed is answered', async () => {
  const h = await session(server.url)
  const calls = Array.from({ length: 100 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'tools/call', params: { name: 'list_chats', arguments: { limit: 50 } } }))
  await fetch(`${server.url}/api/status?reset=1`).then((r) => r.text())
  const batch = post(server.url, calls, h)
  const health = fetch(`${server.url}/healthz`)
  const [b, hz] = await Promise.all([batch, health])
  assert.equal(b.status, 200)
  assert.equal(b.body.length, 100)
  assert.ok(b.body.every((x: { result?: unknown }) => x.result))
  assert.equal(hz.status, 200)
  // a figure for the record, never asserted: how late the event loop ran while the batch was served
  const loop = ((await (await fetch(`${server.url}/api/status`)).json()) as { event_loop: Record<string, number> }).event_loop
  if (process.env.SHOW_FIGURES) process.stderr.write(`event loop during a 100-call batch: ${JSON.stringify(loop)}\n`)
})

test('results whose streams closed early all reach the next GET stream, each once (their bytes are bounded by the replay log, test/mcp/replay-log)', async () => {
  const fixtures = await startServerProcess(undefined, { WA_WS_URL: 'ws://127.0.0.1:9/ws', MCP_CONFORMANCE_FIXTURES: 'true' })
  try {
    const r = await post(fixtures.url, init({}, '2025-11-25'))
    const h = { 'mcp-session-id': r.sid!, 'mcp-protocol-version': '2025-11-25' }
    // each call closes its stream at once; its result waits for a GET stream that never comes
    await Promise.all(Array.from({ length: 80 }, (_, i) =>
      fetch(`${fixtures.url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: ACCEPT, ...h }, body: JSON.stringify({ jsonrpc: '2.0', id: i, method: 'tools/call', params: { name: 'test_reconnection', arguments: {} } }) }).then((x) => x.text())
    ))
    // the calls end 100 ms after closing their streams; well past that, all 80 results are waiting
    await sleep(2000)
    const ac = new AbortController()
    const get = await fetch(`${fixtures.url}/mcp`, { headers: { accept: 'text/event-stream', ...h }, signal: ac.signal })
    const reader = get.body!.getReader()
    let text = ''
    while ((text.match(/^data: \{/gm) ?? []).length < 80) text += new TextDecoder().decode((await reader.read()).value)
    // what was kept is all written at once: a little more time shows nothing further arrives
    const more = await Promise.race([reader.read().then((x) => new TextDecoder().decode(x.value)), sleep(500).then(() => '')])
    ac.abort()
    const ids = [...`${text}${more}`.matchAll(/^data: (\{.*\})$/gm)].map((m) => (JSON.parse(m[1]!) as { id: number }).id)
    assert.equal(ids.length, 80)
    assert.equal(new Set(ids).size, 80)
  } finally {
    await fixtures.stop()
  }
})

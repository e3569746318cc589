// /mcp at the HTTP level: sessions, versions, JSON and SSE replies, the GET stream, DELETE, and bad input.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { request } from 'node:http'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js'

let server: ServerProcess
const ACCEPT = 'application/json, text/event-stream'
const init = (id: number | string = 1, version = '2025-06-18') => ({ jsonrpc: '2.0', id, method: 'initialize', params: { protocolVersion: version, capabilities: {}, clientInfo: { name: 't', version: '1' } } })

async function post(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: ACCEPT, ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) })
}

async function session(version = '2025-06-18'): Promise<{ sid: string; h: Record<string, string> }> {
  const r = await post(init(1, version))
  assert.equal(r.status, 200)
  const sid = r.headers.get('mcp-session-id')!
  assert.ok(sid)
  await r.text()
  const h = { 'mcp-session-id': sid, 'mcp-protocol-version': version }
  const n = await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, h)
  assert.equal(n.status, 202)
  return { sid, h }
}

async function rpc(r: Response): Promise<Record<string, any>> {
  const text = await r.text()
  if ((r.headers.get('content-type') ?? '').includes('text/event-stream')) {
    const data = text.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).find((d) => d.trim())
    return JSON.parse(data!)
  }
  return JSON.parse(text)
}

before(async () => {
  // no emulator: these tests never need WhatsApp
  server = await startServerProcess(undefined, { WA_WS_URL: 'ws://127.0.0.1:9/ws', MCP_MAX_SESSIONS: '50', MCP_SESSION_TTL_MS: '1500' })
})

after(async () => {
  await server?.stop()
})

test('initialize negotiates the version and returns a session id; the current and older versions work', async () => {
  for (const v of ['2025-11-25', '2025-06-18', '2025-03-26']) {
    const r = await post(init(1, v))
    const body = await rpc(r)
    assert.equal(body.result.protocolVersion, v)
    assert.equal(body.result.serverInfo.name, 'whatsapp-mcp-stream')
    assert.ok(r.headers.get('mcp-session-id'))
  }
  const odd = await rpc(await post(init(1, '1999-01-01')))
  assert.ok(['2025-11-25', '2025-06-18'].includes(odd.result.protocolVersion))
})

test('unknown session is 404, missing session is 400, and DELETE ends a session', async () => {
  const { h } = await session()
  const r404 = await post({ jsonrpc: '2.0', id: 2, method: 'ping' }, { ...h, 'mcp-session-id': 'no-such-session' })
  assert.equal(r404.status, 404)
  const r400 = await post({ jsonrpc: '2.0', id: 2, method: 'ping' })
  assert.equal(r400.status, 400)
  const ping = await rpc(await post({ jsonrpc: '2.0', id: 3, method: 'ping' }, h))
  assert.deepEqual(ping.result, {})
  const del = await fetch(`${server.url}/mcp`, { method: 'DELETE', headers: h })
  assert.ok(del.status === 200 || del.status === 204)
  assert.equal((await post({ jsonrpc: '2.0', id: 4, method: 'ping' }, h)).status, 404)
})

test('JSON-RPC errors: parse error, invalid request, unknown method, invalid params, bad protocol version', async () => {
  const { h } = await session()
  const parse = await post('{"jsonrpc": "2.0", "id": 1, "method": ', h)
  assert.equal(parse.status, 400)
  assert.equal(((await parse.json()) as any).error.code, -32700)
  const garbage = await post(Buffer.from([0xff, 0xfe, 0x00, 0x01]).toString('latin1'), h)
  assert.equal(((await garbage.json()) as any).error.code, -32700)
  const invalid = await post({ id: 1, method: 'ping' }, h)
  assert.equal(((await invalid.json()) as any).error.code, -32600)
  const unknown = await rpc(await post({ jsonrpc: '2.0', id: 5, method: 'no/such/method' }, h))
  assert.equal(unknown.error.code, -32601)
  const badParams = await rpc(await post({ jsonrpc: '2.0', id: 6, method: 'tools/call', params: { name: 42 } }, h))
  assert.equal(badParams.error.code, -32602)
  const version = await post({ jsonrpc: '2.0', id: 7, method: 'ping' }, { ...h, 'mcp-protocol-version': '1999-01-01' })
  assert.equal(version.status, 400)
  const wrongType = await post({ jsonrpc: '2.0', id: 8, method: 'ping' }, { ...h, 'content-type': 'text/plain' })
  assert.equal(wrongType.status, 415)
  const noAccept = await post({ jsonrpc: '2.0', id: 9, method: 'ping' }, { ...h, accept: 'text/html' })
  assert.equal(noAccept.status, 406)
})

test('2024-11-05, the oldest version we speak, still initializes', async () => {
  const r = await rpc(await post(init(1, '2024-11-05')))
  assert.equal(r.result.protocolVersion, '2024-11-05')
})

test('a 50 MB body is refused with 413 while streaming, and the server keeps serving', async () => {
  const { h } = await session()
  const huge = `{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"${'x'.repeat(50 * 1024 * 1024)}"}}`
  const r = await post(huge, h)
  assert.equal(r.status, 413)
  // a new session: sending 50 MB on a busy machine can outlast this file's 1.5 s session TTL
  const { h: h2 } = await session()
  const ok = await rpc(await post({ jsonrpc: '2.0', id: 2, method: 'ping' }, h2))
  assert.deepEqual(ok.result, {})
})

test('batch arrays are refused on 2025-06-18 and later', async () => {
  const { h } = await session('2025-06-18')
  const r = await post([{ jsonrpc: '2.0', id: 1, method: 'ping' }, { jsonrpc: '2.0', id: 2, method: 'ping' }], h)
  assert.ok(r.status >= 400 && r.status < 500)
})

test('a foreign Origin is refused (DNS-rebinding protection), a local one is fine', async () => {
  assert.equal((await post(init(), { origin: 'http://evil.example' })).status, 403)
  assert.equal((await post(init(), { origin: 'http://localhost:3000' })).status, 200)
  // fetch cannot set Host, so this one goes through node:http
  const status = await new Promise<number>((resolve, reject) => {
    const body = JSON.stringify(init())
    const req = request(`${server.url}/mcp`, { method: 'POST', headers: { host: 'evil.example', 'content-type': 'application/json', accept: ACCEPT, 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on('error', reject)
    req.end(body)
  })
  assert.equal(status, 403)
})

test('the GET stream opens with a session and needs text/event-stream', async () => {
  const { h } = await session()
  const bad = await fetch(`${server.url}/mcp`, { headers: { ...h, accept: 'application/json' } })
  assert.equal(bad.status, 406)
  const ctl = new AbortController()
  const r = await fetch(`${server.url}/mcp`, { headers: { ...h, accept: 'text/event-stream' }, signal: ctl.signal })
  assert.equal(r.status, 200)
  assert.match(r.headers.get('content-type') ?? '', /text\/event-stream/)
  ctl.abort()
  assert.equal((await fetch(`${server.url}/mcp`, { headers: { accept: 'text/event-stream' } })).status, 400)
})

test('idle sessions expire after the TTL', async () => {
  const { h } = await session()
  await new Promise((r) => setTimeout(r, 2500))
  assert.equal((await post({ jsonrpc: '2.0', id: 1, method: 'ping' }, h)).status, 404)
})

test('the SDK client works in JSON mode and in SSE mode', async () => {
  for (const mode of ['json', 'sse'] as const) {
    const client = new Client({ name: 'sdk', version: '1' })
    const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), mode === 'sse' ? { requestInit: { headers: { 'x-mcp-reply': 'sse' } } } : undefined)
    await client.connect(transport)
    const r = await client.callTool({ name: 'ping', arguments: {} })
    assert.equal((r.structuredContent as { reply: string }).reply, 'pong')
    await client.close()
  }
})

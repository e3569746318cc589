// Every refusal of /mcp, in both eras, is a registry code: the HTTP status is the registry's, the body a
// JSON-RPC error whose data names the code and whether a retry helps. Table-driven over the variants.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { ERROR_CODES, type ErrorCode } from '../../../src/errors/codes.js'
import { startServerProcess, type ServerProcess } from '../../helpers/server-process.js'

let server: ServerProcess
const TOKEN = 'transport-test-token-0123456789'
const AUTH = { authorization: `Bearer ${TOKEN}` }
const JSON_CT = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }
let session: Record<string, string>
const init = (v = '2025-11-25') => ({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: v, capabilities: {}, clientInfo: { name: 't', version: '1' } } })
const ping = { jsonrpc: '2.0', id: 2, method: 'ping' }

before(async () => {
  server = await startServerProcess(undefined, { WA_WS_URL: 'ws://127.0.0.1:9/ws', MCP_AUTH_TOKEN: TOKEN, MCP_MAX_BODY_MB: '1' })
  const r = await fetch(`${server.url}/mcp`, { method: 'POST', headers: { ...AUTH, ...JSON_CT }, body: JSON.stringify(init()) })
  await r.text()
  session = { 'mcp-session-id': r.headers.get('mcp-session-id')!, 'mcp-protocol-version': '2025-11-25' }
})

after(async () => {
  await server?.stop()
})

interface Case {
  name: string
  method?: string
  headers?: () => Record<string, string>
  body?: unknown
  code: ErrorCode
  rpc: number
}

const CASES: Case[] = [
  { name: 'no token', headers: () => JSON_CT, body: ping, code: 'UNAUTHORIZED', rpc: -32001 },
  { name: 'a wrong token', headers: () => ({ ...JSON_CT, authorization: 'Bearer nope' }), body: ping, code: 'UNAUTHORIZED', rpc: -32001 },
  { name: 'PUT', method: 'PUT', headers: () => AUTH, body: ping, code: 'METHOD_NOT_ALLOWED', rpc: -32000 },
  { name: 'a text body', headers: () => ({ ...AUTH, ...JSON_CT, 'content-type': 'text/plain' }), body: ping, code: 'UNSUPPORTED_MEDIA_TYPE', rpc: -32000 },
  { name: 'Accept: text/html', headers: () => ({ ...AUTH, ...JSON_CT, accept: 'text/html' }), body: ping, code: 'NOT_ACCEPTABLE', rpc: -32000 },
  { name: 'GET without text/event-stream', method: 'GET', headers: () => ({ ...AUTH, ...session, accept: 'application/json' }), code: 'NOT_ACCEPTABLE', rpc: -32000 },
  { name: 'a body past the limit', headers: () => ({ ...AUTH, ...JSON_CT }), body: { ...ping, params: { pad: 'x'.repeat(2 * 1024 * 1024) } }, code: 'PAYLOAD_TOO_LARGE', rpc: -32600 },
  { name: 'not JSON', headers: () => ({ ...AUTH, ...JSON_CT, ...session }), body: '{"jsonrpc":', code: 'MCP_PARSE_ERROR', rpc: -32700 },
  { name: 'too deep', headers: () => ({ ...AUTH, ...JSON_CT, ...session }), body: `${'['.repeat(100)}${']'.repeat(100)}`, code: 'MCP_PARAMS_TOO_LARGE', rpc: -32600 },
  { name: 'too long a batch', headers: () => ({ ...AUTH, ...JSON_CT, ...session }), body: Array.from({ length: 101 }, () => ping), code: 'MCP_BATCH_TOO_LARGE', rpc: -32600 },
  { name: 'not JSON-RPC', headers: () => ({ ...AUTH, ...JSON_CT, ...session }), body: { id: 1, method: 'ping' }, code: 'MCP_INVALID_REQUEST', rpc: -32600 },
  { name: 'initialize in a batch', headers: () => ({ ...AUTH, ...JSON_CT }), body: [init()], code: 'MCP_INVALID_REQUEST', rpc: -32600 },
  { name: 'initialize within a session', headers: () => ({ ...AUTH, ...JSON_CT, ...session }), body: init(), code: 'MCP_INVALID_REQUEST', rpc: -32600 },
  { name: 'a batch in 2025-11-25', headers: () => ({ ...AUTH, ...JSON_CT, ...session }), body: [ping, { ...ping, id: 3 }], code: 'MCP_INVALID_REQUEST', rpc: -32600 },
  { name: 'a 2026 batch', headers: () => ({ ...AUTH, ...JSON_CT, 'mcp-protocol-version': '2026-07-28' }), body: [ping], code: 'MCP_INVALID_REQUEST', rpc: -32600 },
  { name: 'clientInfo past its limit', headers: () => ({ ...AUTH, ...JSON_CT }), body: { ...init(), params: { ...init().params, clientInfo: { name: 'x'.repeat(600), version: '1' } } }, code: 'MCP_PARAMS_TOO_LARGE', rpc: -32602 },
  { name: 'POST without a session', headers: () => ({ ...AUTH, ...JSON_CT }), body: ping, code: 'MCP_SESSION_REQUIRED', rpc: -32000 },
  { name: 'GET without a session', method: 'GET', headers: () => ({ ...AUTH, accept: 'text/event-stream' }), code: 'MCP_SESSION_REQUIRED', rpc: -32000 },
  { name: 'DELETE without a session', method: 'DELETE', headers: () => AUTH, code: 'MCP_SESSION_REQUIRED', rpc: -32000 },
  { name: 'POST with an unknown session', headers: () => ({ ...AUTH, ...JSON_CT, 'mcp-session-id': 'no-such-session' }), body: ping, code: 'MCP_SESSION_NOT_FOUND', rpc: -32001 },
  { name: 'GET with an unknown session', method: 'GET', headers: () => ({ ...AUTH, accept: 'text/event-stream', 'mcp-session-id': 'no-such-session' }), code: 'MCP_SESSION_NOT_FOUND', rpc: -32001 },
  { name: 'DELETE of an unknown session', method: 'DELETE', headers: () => ({ ...AUTH, 'mcp-session-id': 'no-such-session' }), code: 'MCP_SESSION_NOT_FOUND', rpc: -32001 },
  { name: 'a session-era version header we do not speak', headers: () => ({ ...AUTH, ...JSON_CT, ...session, 'mcp-protocol-version': '2024-01-01' }), body: ping, code: 'MCP_PROTOCOL_VERSION_UNSUPPORTED', rpc: -32000 }
]

for (const c of CASES) {
  test(`/mcp refuses ${c.name} with ${c.code}`, async () => {
    const body = c.body === undefined ? undefined : typeof c.body === 'string' ? c.body : JSON.stringify(c.body)
    const r = await fetch(`${server.url}/mcp`, { method: c.method ?? 'POST', headers: c.headers?.() ?? {}, body })
    const json = (await r.json()) as { jsonrpc: string; error: { code: number; message: string; data: { code: string; retryable: boolean } } }
    assert.equal(json.jsonrpc, '2.0')
    assert.equal(json.error.data.code, c.code, json.error.message)
    assert.equal(r.status, ERROR_CODES[c.code].status)
    assert.equal(json.error.code, c.rpc)
    assert.equal(json.error.data.retryable, ERROR_CODES[c.code].retryable)
    assert.ok(json.error.message.length > 5)
  })
}

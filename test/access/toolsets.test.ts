// MCP_TOOLSETS against the real server: `read` publishes a read-only server (the static token included,
// sends do not exist), a set without `read` publishes no resources, and a bad name stops the start.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js'

const STATIC = 'static-token-toolsets-test-0123456789'
const servers: ServerProcess[] = []

async function session(s: ServerProcess) {
  const headers = { authorization: `Bearer ${STATIC}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }
  const init = await fetch(`${s.url}/mcp`, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } } }) })
  const sid = init.headers.get('mcp-session-id')!
  let id = 2
  return async (method: string, params: Record<string, unknown> = {}) => {
    const r = await fetch(`${s.url}/mcp`, { method: 'POST', headers: { ...headers, 'mcp-session-id': sid, 'mcp-protocol-version': '2025-11-25' }, body: JSON.stringify({ jsonrpc: '2.0', id: id++, method, params }) })
    return (await r.json()) as Record<string, any>
  }
}

after(async () => {
  for (const s of servers) await s.stop()
})

test('MCP_TOOLSETS=read is a read-only server: 22 tools, sends unknown, resources there', async () => {
  const s = await startServerProcess(undefined, { WA_WS_URL: 'ws://127.0.0.1:9/ws', MCP_AUTH_TOKEN: STATIC, MCP_TOOLSETS: 'read' })
  servers.push(s)
  const rpc = await session(s)
  const tools = (await rpc('tools/list')).result.tools as Array<{ name: string; annotations: { readOnlyHint: boolean } }>
  assert.equal(tools.length, 22)
  assert.deepEqual(tools.filter((t) => !t.annotations.readOnlyHint).map((t) => t.name), ['download_media'])
  const send = await rpc('tools/call', { name: 'send_message', arguments: { recipient_jid: '15550000000', message: 'x' } })
  assert.match(send.error.message, /Unknown tool/)
  assert.ok(((await rpc('resources/list')).result.resources as unknown[]).length > 0)
})

test('MCP_TOOLSETS without read publishes no resources and refuses to read one', async () => {
  const s = await startServerProcess(undefined, { WA_WS_URL: 'ws://127.0.0.1:9/ws', MCP_AUTH_TOKEN: STATIC, MCP_TOOLSETS: 'send,account' })
  servers.push(s)
  const rpc = await session(s)
  assert.equal(((await rpc('tools/list')).result.tools as unknown[]).length, 24)
  assert.deepEqual((await rpc('resources/list')).result.resources, [])
  assert.deepEqual((await rpc('resources/templates/list')).result.resourceTemplates, [])
  assert.equal((await rpc('resources/read', { uri: 'whatsapp://chats' })).error.data.code, 'TOOL_FORBIDDEN')
})

test('an unknown toolset in MCP_TOOLSETS stops the start with one line naming it', () => {
  const r = spawnSync(process.execPath, [new URL('../../src/main.js', import.meta.url).pathname], { env: { PATH: process.env.PATH, PORT: '0', DATA_DIR: mkdtempSync(join(tmpdir(), 'wams-ts-')), MCP_TOOLSETS: 'read,everything' }, encoding: 'utf8', timeout: 20_000 })
  assert.notEqual(r.status, 0)
  assert.match(`${r.stdout}${r.stderr}`, /MCP_TOOLSETS/)
})

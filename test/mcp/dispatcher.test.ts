// A tool error through both SDK clients and both eras: the text starts with the code, structuredContent
// carries the error object wherever the client accepts it, and no client throws on it.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client'
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js'

let server: ServerProcess
let v1: ClientV1
let v2: ClientV2

before(async () => {
  // get_message_by_id of an unknown id fails at run time, after its arguments passed
  server = await startServerProcess(undefined, { WA_WS_URL: 'ws://127.0.0.1:9/ws', MCP_CONFORMANCE_FIXTURES: 'true' })
  const url = new URL(`${server.url}/mcp`)
  v1 = new ClientV1({ name: 'errors-v1', version: '1' })
  await v1.connect(new TransportV1(url))
  v2 = new ClientV2({ name: 'errors-v2', version: '1' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } })
  await v2.connect(new TransportV2(url))
  // the clients learn the output schemas (and validate against them) from the list
  await v1.listTools()
  await v2.listTools()
})

after(async () => {
  await v1?.close()
  await v2?.close()
  await server?.stop()
})

type Result = { isError?: boolean; content: Array<{ type: string; text?: string }>; structuredContent?: { error?: { code: string } } }

// [tool, arguments, code, has an outputSchema]
const CASES = [
  ['list_chats', { limit: 'ten' }, 'INVALID_INPUT', true],
  ['get_message_by_id', { message_id: 'nope:nope' }, 'MESSAGE_NOT_FOUND', true],
  ['test_simple_text', { surplus: 1 }, 'INVALID_INPUT', false]
] as const

for (const era of ['v1 on 2025-11-25', 'v2 on 2026-07-28'] as const) {
  for (const [tool, args, code, hasOutput] of CASES) {
    test(`${era}: ${tool} fails with a coded error result the client accepts`, async () => {
      const r = (era.startsWith('v1') ? await v1.callTool({ name: tool, arguments: args }) : await v2.callTool({ name: tool, arguments: args })) as Result
      assert.equal(r.isError, true)
      const text = r.content[0]!.text!
      const m = /^([A-Z][A-Z0-9_]+): /.exec(text)
      assert.ok(m, `the text starts with the code: ${text.slice(0, 80)}`)
      if (code) assert.equal(m[1], code)
      const json = JSON.parse(text.slice(text.indexOf('\n') + 1)) as { error: { code: string; retryable: boolean } }
      assert.equal(json.error.code, m[1])
      // the v1 client would refuse an error object that does not fit the tool's outputSchema
      if (era.startsWith('v1') && hasOutput) assert.equal(r.structuredContent, undefined)
      else assert.equal(r.structuredContent?.error?.code, m[1])
    })
  }
}

test('2025: every capability initialize advertises answers its methods', async () => {
  const caps = v1.getServerCapabilities()!
  const checks: Record<string, () => Promise<unknown>> = {
    tools: () => v1.listTools(),
    logging: () => v1.setLoggingLevel('warning'),
    completions: () => v1.complete({ ref: { type: 'ref/resource', uri: 'whatsapp://chats/{jid}' }, argument: { name: 'jid', value: '1' } }),
    resources: async () => {
      await v1.listResources()
      if ((caps.resources as { subscribe?: boolean }).subscribe) await v1.subscribeResource({ uri: 'whatsapp://inbox' })
    },
    prompts: () => v1.listPrompts(),
    // only claude/channel, with CLAUDE_CHANNEL_CHATS set: its pushes are test/mcp/claude-channel.test.ts's
    experimental: async () => assert.deepEqual(Object.keys(caps.experimental ?? {}), ['claude/channel'])
  }
  for (const name of Object.keys(caps)) {
    assert.ok(checks[name], `a check for the advertised capability ${name}`)
    await checks[name]!()
  }
})

test('2026: every capability server/discover advertises answers its methods, the tasks extension included', async () => {
  const d = await v2.discover()
  const checks: Record<string, () => Promise<unknown>> = {
    tools: () => v2.listTools(),
    // no logging/setLevel in this revision: a request asks for log messages in its _meta
    logging: async () => undefined,
    completions: () => v2.complete({ ref: { type: 'ref/prompt', name: 'test_prompt_with_arguments' }, argument: { name: 'arg1', value: 'pa' } }),
    resources: async () => {
      await v2.listResources()
      const sub = await v2.listen({ resourceSubscriptions: ['whatsapp://inbox'] })
      assert.deepEqual(sub.honoredFilter.resourceSubscriptions, ['whatsapp://inbox'])
      await sub.close()
    },
    prompts: () => v2.listPrompts(),
    extensions: async () => assert.deepEqual(Object.keys(d.capabilities.extensions ?? {}), ['io.modelcontextprotocol/tasks']),
    experimental: async () => assert.deepEqual(Object.keys(d.capabilities.experimental ?? {}), ['claude/channel'])
  }
  for (const name of Object.keys(d.capabilities)) {
    assert.ok(checks[name], `a check for the advertised capability ${name}`)
    await checks[name]!()
  }
})

test('the protocol versions the server accepts are the ones the README lists, batches where it says', async () => {
  const post = (body: unknown, h: Record<string, string> = {}) => fetch(`${server.url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...h }, body: JSON.stringify(body) })
  // [version, batches accepted]
  const SESSION_ERA = [['2025-11-25', false], ['2025-06-18', false], ['2025-03-26', true], ['2024-11-05', true]] as const
  for (const [v, batches] of SESSION_ERA) {
    const r = await post({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: v, capabilities: {}, clientInfo: { name: 't', version: '1' } } })
    assert.equal(((await r.json()) as { result: { protocolVersion: string } }).result.protocolVersion, v, v)
    const h = { 'mcp-session-id': r.headers.get('mcp-session-id')!, 'mcp-protocol-version': v }
    const batch = await post([{ jsonrpc: '2.0', id: 2, method: 'ping' }, { jsonrpc: '2.0', id: 3, method: 'ping' }], h)
    assert.equal(batch.status, batches ? 200 : 400, `${v} batch`)
    await batch.text()
  }
  // an unknown version is answered with the newest of the session era, and the stateless revision names them all
  const odd = await post({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2024-10-07', capabilities: {}, clientInfo: { name: 't', version: '1' } } })
  assert.equal(((await odd.json()) as { result: { protocolVersion: string } }).result.protocolVersion, '2025-11-25')
  assert.deepEqual((await v2.discover()).supportedVersions, ['2026-07-28', ...SESSION_ERA.map(([v]) => v)])
})

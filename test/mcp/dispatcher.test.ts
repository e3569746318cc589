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

// The catalog a model pays for on every turn: tools/list through the SDK client, as a client receives it.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js'
import { TOOLS } from '../../src/mcp/tools/index.js'

/**
 * The ceiling for every tool the server publishes, output schemas included (issue 18). The scheduling
 * tools added 2.2 KB; hints equal to the specification's defaults left out, and the examples of message
 * ids and times said once in the instructions, took more than that back.
 */
const CATALOG_MAX_BYTES = 48 * 1024

let server: ServerProcess
let client: Client
/** the catalog as the client received it, listed once: the tests read it, they do not measure the server */
let listed: Awaited<ReturnType<Client['listTools']>>

before(async () => {
  // no emulator: listing tools never needs WhatsApp
  server = await startServerProcess(undefined, { WA_WS_URL: 'ws://127.0.0.1:9/ws' })
  client = new Client({ name: 'catalog-test', version: '1.0.0' })
  await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`)))
  listed = await client.listTools()
})

after(async () => {
  await client?.close()
  await server?.stop()
})

test('issue 18: tools/list with every tool and its output schema stays within 48 KB', async () => {
  const bytes = Buffer.byteLength(JSON.stringify(listed))
  assert.ok(listed.tools.length >= 42, `${listed.tools.length} tools`)
  assert.ok(bytes <= CATALOG_MAX_BYTES, `tools/list is ${(bytes / 1024).toFixed(1)} KB, over ${CATALOG_MAX_BYTES / 1024} KB`)
})

test('issue 18: each JID argument says which forms it takes, with an example', async () => {
  const { tools } = listed
  const jidArgs = tools.flatMap((t) => Object.entries((t.inputSchema.properties ?? {}) as Record<string, { description?: string; items?: { description?: string } }>).filter(([k]) => /^(jid|chat_id|recipient_jid|to|group_jid|chats)$/.test(k)).map(([k, v]) => [`${t.name}.${k}`, v.description ?? v.items?.description ?? ''] as const))
  assert.ok(jidArgs.length >= 15, `${jidArgs.length} JID arguments`)
  for (const [name, d] of jidArgs) assert.match(d, /@(s\.whatsapp\.net|g\.us)/, `${name}: ${d}`)
})

test('issue 18: the annotations are exact: the group audits may ask WhatsApp (open world), reads of the store do not', async () => {
  const { tools } = listed
  // as a client reads them: a hint left out has the specification's default
  const hints = (n: string) => ({ readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true, ...tools.find((t) => t.name === n)!.annotations })
  for (const n of ['analyze_group_overlaps', 'find_members_without_direct_chat', 'find_members_not_in_contacts', 'run_group_audit']) {
    assert.equal(hints(n).openWorldHint, true, n)
    assert.equal(hints(n).readOnlyHint, true, n)
  }
  for (const n of ['list_messages', 'list_recent_messages', 'search_messages', 'list_chats']) assert.equal(hints(n).openWorldHint, false, n)
  for (const t of tools) assert.ok(t.title, `${t.name} has a title`)
})

test('issue 18: a hint left out means what the tool says: with the specification\'s defaults every published tool reads as defined', () => {
  const defaults = { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true }
  for (const t of listed.tools) {
    const def = TOOLS.find((d) => d.name === t.name)
    if (!def) continue
    const read = { ...defaults, ...t.annotations }
    for (const k of ['readOnlyHint', 'openWorldHint'] as const) assert.equal(read[k], def.annotations[k], `${t.name}.${k}`)
    // meaningful only for a tool that writes
    if (!def.annotations.readOnlyHint) for (const k of ['destructiveHint', 'idempotentHint'] as const) assert.equal(read[k], def.annotations[k], `${t.name}.${k}`)
  }
})

// /api/audit and its export behind ADMIN_TOKEN: a table of ways to ask without the right token (none, a
// wrong bearer, a made-up session cookie, the MCP token) is refused on both routes before anything is
// read, and the admin bearer reads the records of the MCP calls that were made.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js'

const ADMIN = 'admin-token-for-the-audit-trail'
const MCP = 'mcp-token-for-the-audit-trail'
let server: ServerProcess

before(async () => {
  // no WhatsApp needed: the store's reads answer without it. TRUST_PROXY: each refused request below comes
  // from an address of its own (X-Forwarded-For), so the sign-in throttle never locks the table out
  server = await startServerProcess(undefined, { ADMIN_TOKEN: ADMIN, MCP_AUTH_TOKEN: MCP, WA_WS_URL: 'ws://127.0.0.1:9/ws', AUDIT_FLUSH_MS: '10', TRUST_PROXY: 'true' })
  const client = await server.mcp({ token: MCP })
  await client.callTool({ name: 'list_chats', arguments: { limit: 2 } })
  await client.callTool({ name: 'search_messages', arguments: { query: 'x'.repeat(201) } })
  await client.close()
})

after(async () => {
  await server?.stop()
})

test('without the admin token neither the page nor the export answers, whatever else the request carries', async () => {
  const refusals: Array<[string, Record<string, string>]> = [
    ['no credentials', {}],
    ['a wrong bearer', { authorization: 'Bearer not-the-admin-token' }],
    ['the MCP token', { authorization: `Bearer ${MCP}` }],
    ['a made-up session cookie', { cookie: 'admin_session=0123456789abcdef' }],
    ['the token as a cookie', { cookie: `admin_session=${ADMIN}` }],
    ['a basic header', { authorization: `Basic ${Buffer.from(`admin:${ADMIN}`).toString('base64')}` }]
  ]
  let n = 0
  for (const path of ['/api/audit', '/api/audit/export', '/api/audit?tool=list_chats', '/api/audit/export?cursor=au1']) {
    for (const [what, headers] of refusals) {
      const r = await fetch(`${server.url}${path}`, { headers: { ...headers, 'x-forwarded-for': `198.51.100.${++n}` } })
      const body = await r.text()
      assert.equal(r.status, 401, `${path}, ${what}`)
      assert.equal((JSON.parse(body) as { error: { code: string } }).error.code, 'UNAUTHORIZED', `${path}, ${what}`)
      assert.ok(!body.includes('list_chats'), `${path}, ${what}: nothing of the trail`)
    }
  }
})

test('the admin bearer reads the records, long arguments elided', async () => {
  const r = await fetch(`${server.url}/api/audit`, { headers: { authorization: `Bearer ${ADMIN}` } })
  assert.equal(r.status, 200)
  const { records } = (await r.json()) as { records: Array<{ tool: string; details: Record<string, unknown>; client: string }> }
  assert.deepEqual(records.map((x) => x.tool), ['search_messages', 'list_chats'])
  assert.equal(records[0]!.details.query, '…(201 chars)')
  assert.equal(records[0]!.client, 'test-client')
  const e = await fetch(`${server.url}/api/audit/export`, { headers: { authorization: `Bearer ${ADMIN}` } })
  assert.equal((await e.text()).trim().split('\n').length, 2)
})

// tools/call ping over an established session (JSON and SSE replies) against two baselines measured in
// the same run: raw uWS with a fixed body, and the MCP SDK's own transport on node:http. The same call
// over the stateless 2026-07-28 path (no session; _meta and the standard headers on every request) too,
// against raw uWS fed that same request: its body is twice as long and it has three more headers, which
// cost the load generator and the HTTP parser alike, so only the same bytes on the wire compare like with like.
import { bestOf, load, mcpSession, startChild, toolCall, ROUNDS, type LoadResult } from './lib.js'

export interface PingFigures {
  rows: Array<{ c: number; raw: LoadResult; raw2026: LoadResult; sdk: LoadResult; json: LoadResult; sse: LoadResult; stateless: LoadResult }>
}

export async function benchPing(serverUrl: string): Promise<PingFigures> {
  const ours = `${serverUrl}/mcp`
  const session = await mcpSession(ours)
  const body = toolCall('ping')
  const rows: PingFigures['rows'] = []
  const V = '2026-07-28'
  const stateless = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'ping', arguments: {}, _meta: { 'io.modelcontextprotocol/protocolVersion': V, 'io.modelcontextprotocol/clientCapabilities': {} } } }
  const statelessHeaders = { 'mcp-protocol-version': V, 'mcp-method': 'tools/call', 'mcp-name': 'ping' }
  // each baseline runs only while it is measured: the SDK server keeps working off (and collecting) its
  // backlog after a run at c = 64, which took CPU from whatever ran next on its core
  const measureChild = async (script: string, c: number, withSession: boolean, request: { body: unknown; headers: Record<string, string> } = { body, headers: {} }): Promise<LoadResult> => {
    const child = await startChild(new URL(script, import.meta.url).pathname)
    try {
      const url = `http://127.0.0.1:${child.port}/mcp`
      const headers = withSession ? await mcpSession(url) : request.headers
      return await bestOf(ROUNDS, () => load(url, request.body, headers, c))
    } finally {
      await child.stop()
    }
  }
  for (const c of [16, 64]) {
    const raw = await measureChild('./baselines/raw-uws.js', c, false)
    const raw2026 = await measureChild('./baselines/raw-uws.js', c, false, { body: stateless, headers: statelessHeaders })
    const sdk = await measureChild('./baselines/sdk-node-http.js', c, true)
    const json = await bestOf(ROUNDS, () => load(ours, body, session, c))
    const sse = await bestOf(ROUNDS, () => load(ours, body, { ...session, 'x-mcp-reply': 'sse' }, c))
    const st = await bestOf(ROUNDS, () => load(ours, stateless, statelessHeaders, c))
    rows.push({ c, raw, raw2026, sdk, json, sse, stateless: st })
  }
  return { rows }
}

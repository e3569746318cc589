// tools/call ping over an established session (JSON and SSE replies) against two baselines measured in
// the same run: raw uWS with a fixed body, and the MCP SDK's own transport on node:http. The same call
// over the stateless 2026-07-28 path (no session; _meta and the standard headers on every request) too,
// against raw uWS fed that same request: its body is twice as long and it has three more headers, which
// cost the load generator and the HTTP parser alike, so only the same bytes on the wire compare like with like.
// Raw uWS and our server take turns round by round, so both see the same spells of a noisy machine.
import { bestOf, load, mcpSession, medianOf, startChild, toolCall, ROUNDS, type LoadResult } from './lib.js'

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
  // the SDK baseline runs only while it is measured: it keeps working off (and collecting) its backlog
  // after a run at c = 64, which took CPU from whatever ran next on its core
  const measureSdk = async (c: number): Promise<LoadResult> => {
    const child = await startChild(new URL('./baselines/sdk-node-http.js', import.meta.url).pathname)
    try {
      const url = `http://127.0.0.1:${child.port}/mcp`
      const headers = await mcpSession(url)
      return await bestOf(ROUNDS, () => load(url, body, headers, c))
    } finally {
      await child.stop()
    }
  }
  for (const c of [16, 64]) {
    const sdk = await measureSdk(c)
    // raw uWS and ours take turns, round by round: this machine's pace drifts by a fifth within minutes, and
    // a ratio of two figures measured minutes apart measured the drift as much as the server
    const raw = await startChild(new URL('./baselines/raw-uws.js', import.meta.url).pathname)
    const rawUrl = `http://127.0.0.1:${raw.port}/mcp`
    const rounds: Record<'raw' | 'raw2026' | 'json' | 'sse' | 'stateless', LoadResult[]> = { raw: [], raw2026: [], json: [], sse: [], stateless: [] }
    try {
      for (let i = 0; i < ROUNDS; i++) {
        rounds.raw.push(await load(rawUrl, body, {}, c))
        rounds.json.push(await load(ours, body, session, c))
        rounds.sse.push(await load(ours, body, { ...session, 'x-mcp-reply': 'sse' }, c))
        rounds.raw2026.push(await load(rawUrl, stateless, statelessHeaders, c))
        rounds.stateless.push(await load(ours, stateless, statelessHeaders, c))
      }
    } finally {
      await raw.stop()
    }
    rows.push({ c, raw: medianOf(rounds.raw), raw2026: medianOf(rounds.raw2026), sdk, json: medianOf(rounds.json), sse: medianOf(rounds.sse), stateless: medianOf(rounds.stateless) })
  }
  return { rows }
}

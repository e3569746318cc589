// tools/call ping over an established session (JSON and SSE replies) against two baselines measured in
// the same run: raw uWS with a fixed body, and the MCP SDK's own transport on node:http.
import { bestOf, load, mcpSession, startChild, toolCall, ROUNDS, type LoadResult } from './lib.js'

export interface PingFigures {
  rows: Array<{ c: number; raw: LoadResult; sdk: LoadResult; json: LoadResult; sse: LoadResult }>
}

export async function benchPing(serverUrl: string): Promise<PingFigures> {
  const raw = await startChild(new URL('./baselines/raw-uws.js', import.meta.url).pathname)
  const sdk = await startChild(new URL('./baselines/sdk-node-http.js', import.meta.url).pathname)
  const rows: PingFigures['rows'] = []
  try {
    const sdkUrl = `http://127.0.0.1:${sdk.port}/mcp`
    const ours = `${serverUrl}/mcp`
    const sdkSession = await mcpSession(sdkUrl)
    const session = await mcpSession(ours)
    const body = toolCall('ping')
    for (const c of [16, 64]) {
      rows.push({
        c,
        raw: await bestOf(ROUNDS, () => load(`http://127.0.0.1:${raw.port}/mcp`, body, {}, c)),
        sdk: await bestOf(ROUNDS, () => load(sdkUrl, body, sdkSession, c)),
        json: await bestOf(ROUNDS, () => load(ours, body, session, c)),
        sse: await bestOf(ROUNDS, () => load(ours, body, { ...session, 'x-mcp-reply': 'sse' }, c))
      })
    }
  } finally {
    await raw.stop()
    await sdk.stop()
  }
  return { rows }
}

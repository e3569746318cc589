// Memory per idle MCP session at 10k sessions, and whether it comes back once they expire.
import { status } from './lib.js'

export interface SessionFigures {
  count: number
  heapPerSessionBytes: number
  rssPerSessionBytes: number
  heapAfterExpiryDeltaBytes: number
  sessionsLeft: number
}

async function initialize(url: string): Promise<void> {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } } }) })
  await r.text()
}

export async function benchSessions(serverUrl: string, count: number, ttlMs: number): Promise<SessionFigures> {
  const base = await status(serverUrl, false, true)
  for (let i = 0; i < count; i += 64) await Promise.all(Array.from({ length: Math.min(64, count - i) }, () => initialize(`${serverUrl}/mcp`)))
  await new Promise((r) => setTimeout(r, 500))
  const full = await status(serverUrl, false, true)
  await new Promise((r) => setTimeout(r, ttlMs * 2 + 1000))
  const after = await status(serverUrl, false, true)
  return {
    count,
    heapPerSessionBytes: (full.process.heap_used - base.process.heap_used) / count,
    rssPerSessionBytes: (full.process.rss - base.process.rss) / count,
    heapAfterExpiryDeltaBytes: after.process.heap_used - base.process.heap_used,
    sessionsLeft: after.mcp.sessions
  }
}

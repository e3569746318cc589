// Ingest: a history sync of N messages from the emulator into the store, messages per second, and the main
// thread's event-loop delay while it runs; optionally with an MCP read load at the same time.
import type { Emulator } from '../test/emulator/emulator.js'
import { call, until, type ServerProcess } from '../test/helpers/server-process.js'
import { load, mcpSession, status, toolCall, type LoadResult } from './lib.js'

export interface IngestFigures {
  messages: number
  /** from the first history chunk the emulator sent to the last message in the store */
  seconds: number
  /** from the QR scan: pairing, login and the sync */
  fromScanSeconds: number
  perSecond: number
  eventLoopP99Ms: number
  eventLoopMaxMs: number
  concurrentRead?: LoadResult
}

export async function benchIngest(emu: Emulator, server: ServerProcess, phone: string, expected: number, withReads: boolean): Promise<IngestFigures> {
  const client = await server.mcp()
  const qr = await until(async () => {
    const r = await call(client, 'get_qr_code')
    return r.ok ? r : undefined
  }, 60_000, 'a QR')
  await status(server.url, true)
  const readLoad = withReads ? mcpSession(`${server.url}/mcp`).then((s) => load(`${server.url}/mcp`, toolCall('list_chats', { limit: 20 }), s, 8, 15, 0)) : undefined
  let firstChunk = 0
  const onChunk = () => (firstChunk ||= Date.now())
  emu.on('history-chunk', onChunk)
  const t0 = Date.now()
  await emu.scanQr(qr.data.qr as string, { phone })
  await until(async () => (await status(server.url)).store.messages >= expected, 600_000, `${expected} messages in the store`, 20)
  const done = Date.now()
  emu.off('history-chunk', onChunk)
  const seconds = (done - (firstChunk || t0)) / 1000
  const st = await status(server.url)
  await client.close()
  return { messages: expected, seconds, fromScanSeconds: (done - t0) / 1000, perSecond: expected / seconds, eventLoopP99Ms: st.event_loop.p99_ms, eventLoopMaxMs: st.event_loop.max_ms, concurrentRead: readLoad ? await readLoad : undefined }
}

// Export: a chat with many messages and a lot of media as a ZIP: MB/s, the server's peak RSS, and the main
// thread's event-loop delay while the ZIP is built and streamed.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { openWriter } from '../src/store/open-db.js'
import { applyBatch } from '../src/store/apply-batch.js'
import type { MessageRecord } from '../src/store/batch.js'
import { mediaRelPath } from '../src/media/media-paths.js'
import { status } from './lib.js'

export const EXPORT_CHAT = '4915199999999@s.whatsapp.net'

/** before the server starts: the chat's messages in the store and its media files on disk */
export function seedExport(dbPath: string, mediaDir: string, messages: number, mediaMb: number): void {
  const db = openWriter(dbPath)
  const files = Math.max(1, Math.round(mediaMb / 2))
  const blob = randomBytes(2 * 1024 * 1024)
  let batch: MessageRecord[] = []
  for (let i = 0; i < messages; i++) {
    const hasMedia = i < files
    const m: MessageRecord = { chatJid: EXPORT_CHAT, id: `EX${i}`, fromMe: i % 2 === 0, timestamp: Date.now() - (messages - i) * 1000, type: hasMedia ? 'document' : 'text', body: `export message ${i}`, ...(hasMedia ? { media: { mimetype: 'application/octet-stream', fileName: `file${i}.bin`, fileLength: blob.length } } : {}) }
    batch.push(m)
    if (hasMedia) {
      const p = join(mediaDir, mediaRelPath(EXPORT_CHAT, m.id, m.media!))
      mkdirSync(join(p, '..'), { recursive: true })
      writeFileSync(p, blob)
    }
    if (batch.length >= 10_000) {
      applyBatch(db, { messages: batch })
      batch = []
    }
  }
  if (batch.length) applyBatch(db, { messages: batch })
  db.close()
}

export interface ExportFigures {
  bytes: number
  seconds: number
  mbPerSecond: number
  peakRssMb: number
  baseRssMb: number
  eventLoopP99Ms: number
  messages: number
}

export async function benchExport(serverUrl: string): Promise<ExportFigures> {
  const base = await status(serverUrl, true)
  let peak = base.process.rss as number
  let sampling = true
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, (await status(serverUrl)).process.rss)
      await new Promise((r) => setTimeout(r, 100))
    }
  })()
  const t0 = Date.now()
  const res = await fetch(`${serverUrl}/api/export/chat/${encodeURIComponent(EXPORT_CHAT)}?include_media=true`)
  let bytes = 0
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) bytes += chunk.byteLength
  const seconds = (Date.now() - t0) / 1000
  sampling = false
  await sampler
  const st = await status(serverUrl)
  return { bytes, seconds, mbPerSecond: bytes / 1024 / 1024 / seconds, peakRssMb: peak / 1024 / 1024, baseRssMb: base.process.rss / 1024 / 1024, eventLoopP99Ms: st.event_loop.p99_ms, messages: Number(res.headers.get('x-export-messages') ?? 0) }
}

// Store batches cross two thread boundaries (WhatsApp worker -> main -> pool). Encoded once in the worker
// with v8.serialize into shared memory, they pass the main thread as a reference: the event loop neither
// walks nor copies a big batch, and a failed write can be retried from the same bytes.
import { serialize, deserialize } from 'node:v8'
import type { StoreBatch, MediaInfo } from './batch.js'

/** what the main thread needs to know about a batch without decoding it */
export interface BatchSummary {
  /** the WhatsApp worker's number for this batch (1, 2, ... per worker); 0 for batches made elsewhere */
  seq: number
  /** the worker generation that emitted it, set by the supervisor when the batch arrives */
  gen?: number
  /** when the worker handed it over (Date.now(); one clock for every thread of the process) */
  emittedAt: number
  messages: number
  /** live incoming media, for auto-download */
  media: Array<{ chatJid: string; id: string; media: MediaInfo }>
}

export interface EncodedBatch {
  data: SharedArrayBuffer
  summary: BatchSummary
}

/** the largest slice of messages one encoded batch carries, so no single write or hop is long */
export const MAX_MESSAGES_PER_BATCH = 1000

export function encodeBatch(batch: StoreBatch, seq = 0): EncodedBatch {
  const buf = serialize(batch)
  const data = new SharedArrayBuffer(buf.byteLength)
  new Uint8Array(data).set(buf)
  const media = (batch.messages ?? []).filter((m) => m.media && !m.fromHistory && !m.fromMe).map((m) => ({ chatJid: m.chatJid, id: m.id, media: { ...m.media!, jpegThumbnail: undefined } }))
  return { data, summary: { seq, emittedAt: Date.now(), messages: batch.messages?.length ?? 0, media } }
}

export function decodeBatch(data: SharedArrayBuffer): StoreBatch {
  return deserialize(new Uint8Array(data)) as StoreBatch
}

/** splits a batch whose messages exceed the cap; the other record kinds ride with the first part */
export function splitBatch(batch: StoreBatch, max = MAX_MESSAGES_PER_BATCH): StoreBatch[] {
  const messages = batch.messages ?? []
  if (messages.length <= max) return [batch]
  const parts: StoreBatch[] = [{ ...batch, messages: messages.slice(0, max) }]
  for (let i = max; i < messages.length; i += max) parts.push({ messages: messages.slice(i, i + max) })
  return parts
}

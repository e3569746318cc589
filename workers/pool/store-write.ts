// Pool task: the message store's single writer. One connection per store file, kept for the thread's life.
import { openWriter, type Db } from '../../src/store/open-db.js'
import { applyBatch, type ApplyResult } from '../../src/store/apply-batch.js'
import type { StoreBatch } from '../../src/store/batch.js'
import { decodeBatch } from '../../src/store/batch-codec.js'
import type { EventRetention } from '../../src/store/event-log.js'

const dbs = new Map<string, Db>()

export default function storeWrite({ dbPath, batches, encoded, retention }: { dbPath: string; batches?: StoreBatch[]; encoded?: SharedArrayBuffer[]; retention?: EventRetention }): ApplyResult {
  let db = dbs.get(dbPath)
  if (!db) {
    db = openWriter(dbPath)
    dbs.set(dbPath, db)
  }
  const total: ApplyResult = { messages: 0, chats: 0, contacts: 0, merged: 0 }
  const conn = db
  const all = [...(batches ?? []), ...(encoded ?? []).map(decodeBatch)]
  const incoming = new Set<string>()
  const changed = new Set<string>()
  conn.transaction(() => {
    for (const batch of all) {
      const r = applyBatch(conn, batch, retention)
      if (r.incoming) for (const c of r.incoming) incoming.add(c)
      if (r.changed) for (const c of r.changed) changed.add(c)
      total.messages += r.messages
      total.chats += r.chats
      total.contacts += r.contacts
      total.merged += r.merged
    }
  })()
  if (incoming.size) total.incoming = [...incoming]
  if (changed.size) total.changed = [...changed]
  return total
}

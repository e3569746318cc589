// Pool task: the message store's single writer. One connection per store file, kept for the thread's life.
import { openWriter, type Db } from '../../src/store/open-db.js'
import { applyBatches, type ApplyResult } from '../../src/store/apply-batch.js'
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
  return applyBatches(db, [...(batches ?? []), ...(encoded ?? []).map(decodeBatch)], retention)
}

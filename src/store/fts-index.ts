// The full-text index's bulk step (schema v2): every message above the watermark goes into the index with
// one INSERT ... SELECT, and the watermark moves to the newest message. Runs inside the writer's
// transaction, so the index and the watermark never disagree.
import type { Db } from './open-db.js'

const statements = new WeakMap<Db, { index: { run(...a: unknown[]): unknown }; top: { get(): unknown }; mark: { run(...a: unknown[]): unknown }; wm: { get(): unknown } }>()

export function indexPending(db: Db): void {
  let s = statements.get(db)
  if (!s) {
    s = {
      wm: db.prepare(`SELECT CAST(value AS INTEGER) AS v FROM meta WHERE key = 'fts_seq'`),
      top: db.prepare('SELECT coalesce(max(seq), 0) AS v FROM messages'),
      index: db.prepare('INSERT INTO messages_fts(rowid, body) SELECT seq, body FROM messages WHERE seq > ? AND body IS NOT NULL'),
      mark: db.prepare(`INSERT INTO meta(key, value) VALUES ('fts_seq', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`)
    }
    statements.set(db, s)
  }
  const wm = (s.wm.get() as { v: number } | undefined)?.v ?? 0
  const top = (s.top.get() as { v: number }).v
  if (top <= wm) return
  s.index.run(wm)
  s.mark.run(top)
}

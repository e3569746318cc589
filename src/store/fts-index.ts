// The full-text index's bulk step (schema v2): every message above the watermark goes into the index with
// one INSERT ... SELECT, and the watermark moves to the newest message. Runs inside the writer's
// transaction, so the index and the watermark never disagree. Triggers keep indexed rows (at or below the
// watermark) right through edits and deletes; when the newest messages were deleted, SQLite reuses their
// rowids, so the watermark comes down to the newest message left and those rowids count as new again.
import type { statementCache } from './open-db.js'

/** `prepare`: the writer's statement cache */
export function indexPending(prepare: ReturnType<typeof statementCache>): void {
  const wm = (prepare(`SELECT CAST(value AS INTEGER) AS v FROM meta WHERE key = 'fts_seq'`).get() as { v: number } | undefined)?.v ?? 0
  const top = (prepare('SELECT coalesce(max(seq), 0) AS v FROM messages').get() as { v: number }).v
  if (top < wm) {
    prepare(`UPDATE meta SET value = ? WHERE key = 'fts_seq'`).run(top)
    return
  }
  if (top === wm) return
  prepare('INSERT INTO messages_fts(rowid, body) SELECT seq, body FROM messages WHERE seq > ? AND body IS NOT NULL').run(wm)
  prepare(`INSERT INTO meta(key, value) VALUES ('fts_seq', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`).run(top)
}

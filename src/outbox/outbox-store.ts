// The outbox's SQLite file (DATA_DIR/outbox.sqlite, 0600), on the main thread like the idempotency keys
// and the credentials: taking an entry to send and recording what became of it must be synchronous with
// the decision, which the main store (its writer alone on a pool thread) cannot give. One partial index on
// the due time of pending entries: the next timer and each batch of due ones are single index reads.
import Database from 'better-sqlite3'
import { privateDatabase } from '../store/private-files.js'
import type { NewOutboxEntry, OutboxEntry, OutboxStatus } from './outbox-types.js'

interface Row {
  id: string
  kind: string
  operation: string
  chat_jid: string
  args: string
  due_at: number
  requested_at: number
  status: string
  idempotency_key: string | null
  principal_id: string
  created_at: number
  updated_at: number
  attempts: number
  message_id: string | null
  sent_at: number | null
  error_code: string | null
  error_message: string | null
}

const toEntry = (r: Row): OutboxEntry => ({
  id: r.id,
  kind: r.kind as OutboxEntry['kind'],
  operation: r.operation as OutboxEntry['operation'],
  chatJid: r.chat_jid,
  args: JSON.parse(r.args) as Record<string, unknown>,
  dueAt: r.due_at,
  requestedAt: r.requested_at,
  status: r.status as OutboxStatus,
  idempotencyKey: r.idempotency_key,
  principalId: r.principal_id,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  attempts: r.attempts,
  messageId: r.message_id,
  sentAt: r.sent_at,
  errorCode: r.error_code,
  errorMessage: r.error_message
})

/** a page of entries: by status and chat condition, ordered by due time then id, after a cursor */
export interface OutboxQuery {
  statuses?: readonly OutboxStatus[]
  /** a SQL condition on `chat_jid` with its parameters (ChatAccess.where) */
  chatWhere?: { sql: string; params: unknown[] }
  chatJid?: string
  kind?: string
  /** entries after this (due time, id), or before it when `newestFirst` */
  after?: { dueAt: number; id: string }
  newestFirst?: boolean
  limit: number
}

export class OutboxStore {
  private readonly db: Database.Database
  private readonly insertStmt
  private readonly byIdStmt
  private readonly byKeyStmt
  private readonly nextDueStmt
  private readonly dueStmt
  private readonly setStmt
  private readonly pendingCountStmt

  constructor(path: string) {
    privateDatabase(path)
    this.db = new Database(path)
    this.db.pragma('journal_mode = WAL')
    // a process killed with -9 loses nothing in WAL mode at NORMAL; only an OS crash could take the last commits
    this.db.pragma('synchronous = NORMAL')
    this.db.exec(`CREATE TABLE IF NOT EXISTS outbox (id TEXT PRIMARY KEY, kind TEXT NOT NULL, operation TEXT NOT NULL, chat_jid TEXT NOT NULL,
      args TEXT NOT NULL, due_at INTEGER NOT NULL, requested_at INTEGER NOT NULL, status TEXT NOT NULL, idempotency_key TEXT,
      principal_id TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
      message_id TEXT, sent_at INTEGER, error_code TEXT, error_message TEXT);
      CREATE INDEX IF NOT EXISTS outbox_pending_due ON outbox(due_at) WHERE status = 'pending';
      CREATE INDEX IF NOT EXISTS outbox_due ON outbox(due_at, id);
      CREATE UNIQUE INDEX IF NOT EXISTS outbox_key ON outbox(principal_id, idempotency_key) WHERE idempotency_key IS NOT NULL;`)
    this.insertStmt = this.db.prepare(`INSERT INTO outbox (id, kind, operation, chat_jid, args, due_at, requested_at, status, idempotency_key, principal_id, created_at, updated_at)
      VALUES (@id, @kind, @operation, @chatJid, @args, @dueAt, @dueAt, 'pending', @idempotencyKey, @principalId, @now, @now)`)
    this.byIdStmt = this.db.prepare('SELECT * FROM outbox WHERE id = ?')
    this.byKeyStmt = this.db.prepare('SELECT * FROM outbox WHERE principal_id = ? AND idempotency_key = ?')
    this.nextDueStmt = this.db.prepare("SELECT due_at FROM outbox WHERE status = 'pending' AND chat_jid NOT IN (SELECT value FROM json_each(?)) ORDER BY due_at LIMIT 1").pluck()
    // chats with a send running are left for the next batch: two entries to one chat go in their order
    // the earliest due entry of each chat alone: two of one chat in a claim would run side by side (and the
    // second, deferred by pacing, would free the chat while the first still sends)
    this.dueStmt = this.db.prepare(`SELECT * FROM (
        SELECT *, row_number() OVER (PARTITION BY chat_jid ORDER BY due_at, rowid) AS nth FROM outbox
        WHERE status = 'pending' AND due_at <= ? AND chat_jid NOT IN (SELECT value FROM json_each(?))
      ) WHERE nth = 1 ORDER BY due_at LIMIT ?`)
    this.setStmt = this.db.prepare(`UPDATE outbox SET status = @status, due_at = coalesce(@dueAt, due_at), attempts = attempts + @tried, updated_at = @now,
      message_id = coalesce(@messageId, message_id), sent_at = coalesce(@sentAt, sent_at), error_code = @errorCode, error_message = @errorMessage WHERE id = @id`)
    this.pendingCountStmt = this.db.prepare("SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')").pluck()
  }

  insert(id: string, e: NewOutboxEntry, now: number): OutboxEntry {
    this.insertStmt.run({ id, kind: e.kind, operation: e.operation, chatJid: e.chatJid, args: JSON.stringify(e.args), dueAt: e.dueAt, idempotencyKey: e.idempotencyKey ?? null, principalId: e.principalId, now })
    return { id, kind: e.kind, operation: e.operation, chatJid: e.chatJid, args: e.args, dueAt: e.dueAt, requestedAt: e.dueAt, status: 'pending', idempotencyKey: e.idempotencyKey ?? null, principalId: e.principalId, createdAt: now, updatedAt: now, attempts: 0, messageId: null, sentAt: null, errorCode: null, errorMessage: null }
  }

  /** `fn`'s writes in one transaction */
  batch(fn: () => void): void {
    this.db.transaction(fn)()
  }

  get(id: string): OutboxEntry | undefined {
    const r = this.byIdStmt.get(id) as Row | undefined
    return r && toEntry(r)
  }

  byKey(principalId: string, key: string): OutboxEntry | undefined {
    const r = this.byKeyStmt.get(principalId, key) as Row | undefined
    return r && toEntry(r)
  }

  /** the due time of the earliest pending entry outside `busyChats` */
  nextDue(busyChats: readonly string[] = []): number | undefined {
    return this.nextDueStmt.get(JSON.stringify(busyChats)) as number | undefined
  }

  /** entries pending and due by `now`, outside `busyChats` and one per chat, taken (status sending, one more attempt) in one transaction */
  claim(now: number, limit: number, busyChats: readonly string[]): OutboxEntry[] {
    return this.db.transaction(() => {
      const rows = (this.dueStmt.all(now, JSON.stringify(busyChats), limit) as Row[]).map(toEntry)
      for (const e of rows) this.set(e.id, 'sending', now, { tried: 1 })
      return rows.map((e) => ({ ...e, status: 'sending' as const, attempts: e.attempts + 1, updatedAt: now }))
    })()
  }

  /** moves an entry to `status`; `dueAt` replaces its due time, `tried` counts an attempt */
  set(id: string, status: OutboxStatus, now: number, f: { dueAt?: number; tried?: number; messageId?: string; sentAt?: number; errorCode?: string | null; errorMessage?: string | null } = {}): void {
    this.setStmt.run({ id, status, now, dueAt: f.dueAt ?? null, tried: f.tried ?? 0, messageId: f.messageId ?? null, sentAt: f.sentAt ?? null, errorCode: f.errorCode ?? null, errorMessage: f.errorMessage ?? null })
  }

  /** entries a crash cut while they were sending: pending again, their attempts kept (they are never missed) */
  resumeInterrupted(now: number): number {
    return this.db.prepare("UPDATE outbox SET status = 'pending', updated_at = ? WHERE status = 'sending'").run(now).changes
  }

  /** entries waiting or sending */
  pendingCount(): number {
    return this.pendingCountStmt.get() as number
  }

  counts(): Record<string, number> {
    const rows = this.db.prepare('SELECT status, kind, count(*) AS n FROM outbox GROUP BY status, kind').all() as Array<{ status: string; kind: string; n: number }>
    const out: Record<string, number> = {}
    for (const r of rows) out[`${r.kind}_${r.status}`] = r.n
    return out
  }

  list(q: OutboxQuery): OutboxEntry[] {
    const where: string[] = []
    const params: unknown[] = []
    if (q.statuses?.length) {
      where.push(`status IN (${q.statuses.map(() => '?').join(', ')})`)
      params.push(...q.statuses)
    }
    if (q.chatWhere) {
      where.push(q.chatWhere.sql)
      params.push(...q.chatWhere.params)
    }
    if (q.chatJid) {
      where.push('chat_jid = ?')
      params.push(q.chatJid)
    }
    if (q.kind) {
      where.push('kind = ?')
      params.push(q.kind)
    }
    if (q.after) {
      where.push(q.newestFirst ? '(due_at, id) < (?, ?)' : '(due_at, id) > (?, ?)')
      params.push(q.after.dueAt, q.after.id)
    }
    const order = q.newestFirst ? 'DESC' : 'ASC'
    const sql = `SELECT * FROM outbox${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY due_at ${order}, id ${order} LIMIT ?`
    return (this.db.prepare(sql).all(...params, q.limit) as Row[]).map(toEntry)
  }

  close(): void {
    this.db.close()
  }
}

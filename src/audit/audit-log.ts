// The audit trail's store: a SQLite file of its own (DATA_DIR/audit.sqlite, 0600), written by the main thread.
//
// What a crash may lose, and why: a call that changes WhatsApp data (every tool not marked read-only: sends,
// edits, deletes, logout) is committed before the dispatcher hands its reply to the transport, together with
// every record still waiting, so the reply of a send never reaches a client without its record on disk
// (kill -9 right after the reply keeps it). Reads wait up to AUDIT_FLUSH_MS (or FLUSH_MAX records) and go in
// one transaction: a kill -9 can lose the reads of that last moment. synchronous = NORMAL: a committed
// transaction survives a process crash; a power loss may roll back the last ones before a checkpoint.
//
// Append-only in the file itself: a trigger refuses every UPDATE, and a DELETE of a row younger than the
// retention horizon (the `horizon` row, which only moves forward and only the pruning moves). A filter by
// chat reads only that chat's rows: the first chat of a row is an indexed column (most calls name one), the
// others go to a side table. A side-table row for every chat cost 6-8 µs of CPU per record, a third of it.
import Database from 'better-sqlite3'
import { privateDatabase } from '../store/private-files.js'
import type { AuditEntry, AuditRecord } from './audit-policy.js'

/** how many waiting records force a flush before the timer */
export const FLUSH_MAX = 256
/** how often retention runs (and once at open) */
const PRUNE_EVERY_MS = 3_600_000

export interface AuditLogOptions {
  /** how long reads may wait to be written */
  flushMs: number
  retentionDays: number
  /** the clock, for tests of retention */
  now?: () => number
  /** told when a write fails (the call it records has already happened: it is never failed for it) */
  onError?: (err: unknown) => void
}

/** /api/audit's filters; every one optional, `before` is the cursor (an id) */
export interface AuditQuery {
  since?: number
  until?: number
  tool?: string
  chat?: string
  credential?: string
  /** an error code, or `ok` / `cancelled` for the outcome */
  code?: string
  kind?: string
  before?: number
  /** oldest first from after this id (the export) */
  after?: number
  limit: number
}

const COLUMNS = 'id, at, kind, credential, credential_kind, client, tool, chats, message_ids, outcome, code, duration_ms, details'

type Row = Omit<AuditRecord, 'chats' | 'message_ids' | 'details'> & { chats: string; message_ids: string; details: string }

const toRecord = (r: Row): AuditRecord => ({ ...r, chats: JSON.parse(r.chats), message_ids: JSON.parse(r.message_ids), details: JSON.parse(r.details) })

export class AuditLog {
  private readonly db: Database.Database
  private readonly insert: Database.Statement
  private readonly insertChat: Database.Statement
  private readonly writeAll: (entries: AuditEntry[]) => void
  private waiting: AuditEntry[] = []
  private timer: NodeJS.Timeout | undefined
  private readonly pruneTimer: NodeJS.Timeout
  private readonly now: () => number
  /** records written, and writes that failed, since start (for /api/status) */
  readonly stats = { written: 0, failed: 0 }

  constructor(path: string, private readonly o: AuditLogOptions) {
    this.now = o.now ?? Date.now
    privateDatabase(path)
    this.db = new Database(path)
    this.db.pragma('journal_mode = WAL')
    this.db.pragma('synchronous = NORMAL')
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        kind TEXT NOT NULL,
        credential TEXT NOT NULL,
        credential_kind TEXT,
        client TEXT,
        tool TEXT,
        chat TEXT,
        chats TEXT NOT NULL,
        message_ids TEXT NOT NULL,
        outcome TEXT NOT NULL,
        code TEXT,
        duration_ms INTEGER,
        details TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS audit_at ON audit(at);
      CREATE INDEX IF NOT EXISTS audit_tool ON audit(tool, id);
      CREATE INDEX IF NOT EXISTS audit_credential ON audit(credential, id);
      CREATE INDEX IF NOT EXISTS audit_chat ON audit(chat, id) WHERE chat IS NOT NULL;
      CREATE TABLE IF NOT EXISTS audit_chats (chat TEXT NOT NULL, id INTEGER NOT NULL, PRIMARY KEY (chat, id)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS horizon (one INTEGER PRIMARY KEY CHECK (one = 1), cutoff INTEGER NOT NULL);
      INSERT OR IGNORE INTO horizon(one, cutoff) VALUES (1, 0);
      CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
      CREATE TRIGGER IF NOT EXISTS audit_no_early_delete BEFORE DELETE ON audit WHEN old.at >= (SELECT cutoff FROM horizon) BEGIN SELECT RAISE(ABORT, 'audit rows are removed by retention only'); END;
      CREATE TRIGGER IF NOT EXISTS horizon_forward BEFORE UPDATE ON horizon WHEN new.cutoff < old.cutoff BEGIN SELECT RAISE(ABORT, 'the retention horizon only moves forward'); END;
    `)
    this.insert = this.db.prepare(`INSERT INTO audit(at, kind, credential, credential_kind, client, tool, chat, chats, message_ids, outcome, code, duration_ms, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    this.insertChat = this.db.prepare('INSERT OR IGNORE INTO audit_chats(chat, id) VALUES (?, ?)')
    this.writeAll = this.db.transaction((entries: AuditEntry[]) => {
      for (const e of entries) {
        // positional: binding by name costs a property lookup per column
        const id = this.insert.run(e.at, e.kind, e.credential, e.credential_kind, e.client, e.tool, e.chats[0] ?? null, JSON.stringify(e.chats), JSON.stringify(e.message_ids), e.outcome, e.code, e.duration_ms, JSON.stringify(e.details)).lastInsertRowid
        for (let i = 1; i < e.chats.length; i++) this.insertChat.run(e.chats[i], id)
      }
    })
    this.prune()
    this.pruneTimer = setInterval(() => this.prune(), PRUNE_EVERY_MS)
    this.pruneTimer.unref()
  }

  /**
   * Records an entry. `durable`: committed before this returns, with everything waiting before it (the
   * records of calls that change data); otherwise written within flushMs.
   */
  append(entry: AuditEntry, durable: boolean): void {
    this.waiting.push(entry)
    if (durable || this.waiting.length >= FLUSH_MAX) this.flush()
    else this.timer ??= setTimeout(() => this.flush(), this.o.flushMs)
  }

  /** writes every waiting record in one transaction; a failure is counted and reported, never thrown */
  flush(): void {
    clearTimeout(this.timer)
    this.timer = undefined
    if (!this.waiting.length) return
    const batch = this.waiting
    this.waiting = []
    try {
      this.writeAll(batch)
      this.stats.written += batch.length
    } catch (err) {
      this.stats.failed += batch.length
      this.o.onError?.(err)
    }
  }

  /** removes rows older than the retention; returns how many */
  prune(): number {
    const cutoff = this.now() - this.o.retentionDays * 86_400_000
    return this.db.transaction(() => {
      const { cutoff: was } = this.db.prepare('SELECT cutoff FROM horizon').get() as { cutoff: number }
      // a shorter retention moves the horizon forward; a longer one keeps it (rows gone stay gone)
      const horizon = Math.max(cutoff, was)
      if (horizon > was) this.db.prepare('UPDATE horizon SET cutoff = ?').run(horizon)
      this.db.prepare('DELETE FROM audit_chats WHERE id IN (SELECT id FROM audit WHERE at < ?)').run(horizon)
      return this.db.prepare('DELETE FROM audit WHERE at < ?').run(horizon).changes
    })()
  }

  /** one page of records: newest first before `before`, or oldest first after `after` */
  query(q: AuditQuery): AuditRecord[] {
    this.flush()
    const where: string[] = []
    const args: unknown[] = []
    const add = (sql: string, v: unknown): void => {
      where.push(sql)
      args.push(v)
    }
    if (q.since !== undefined) add('a.at >= ?', q.since)
    if (q.until !== undefined) add('a.at < ?', q.until)
    if (q.tool) add('a.tool = ?', q.tool)
    if (q.credential) add('a.credential = ?', q.credential)
    if (q.kind) add('a.kind = ?', q.kind)
    if (q.code === 'ok' || q.code === 'cancelled') add('a.outcome = ?', q.code)
    else if (q.code) add('a.code = ?', q.code)
    if (q.before !== undefined) add('a.id < ?', q.before)
    if (q.after !== undefined) add('a.id > ?', q.after)
    if (q.chat) {
      where.push('(a.chat = ? OR a.id IN (SELECT id FROM audit_chats WHERE chat = ?))')
      args.push(q.chat, q.chat)
    }
    const order = q.after !== undefined ? 'ASC' : 'DESC'
    const sql = `SELECT ${COLUMNS.split(', ').map((c) => `a.${c}`).join(', ')} FROM audit a ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY a.id ${order} LIMIT ?`
    return (this.db.prepare(sql).all(...args, q.limit) as Row[]).map(toRecord)
  }

  close(): void {
    clearInterval(this.pruneTimer)
    this.flush()
    this.db.close()
  }
}

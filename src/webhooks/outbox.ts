// The webhook outbox: a small SQLite file of its own (DATA_DIR/webhooks.sqlite), written by the main thread.
//
// Why a cursor per endpoint over the event log, and not delivery rows written by the store's writer: the
// event log is already the durable record of every event, written in the transaction of its change
// (store/event-log.ts). An endpoint's cursor (the last event seq it has been given rows for) moves forward in
// the same transaction that inserts its delivery rows, so at every instant an event is either after the
// cursor (read again from the log at the next start) or has its row here: no event is committed without
// its delivery, and the store's single writer, which serves WhatsApp, never waits on webhook bookkeeping.
// Why a file of its own: delivery status changes at the sender's rate (a thousand a second in the bench);
// in the store they would queue behind WhatsApp's writes on the writer thread, or make a second writer.
// synchronous = NORMAL is enough: WAL keeps each transaction whole, and a power loss can only roll back to
// an earlier state (a cursor with its rows, a delivery not yet marked delivered), which means a repeat,
// never a loss: at-least-once. The body is stored with the row, so every attempt sends the same bytes
// and a retry survives the event log's pruning.
import Database from 'better-sqlite3'
import { chmodSync, mkdirSync } from 'node:fs'
import { dirname } from 'node:path'

export type DeliveryStatus = 'pending' | 'delivered' | 'dead'

export interface Delivery {
  endpoint_id: string
  seq: number
  kind: string
  chat_jid: string | null
  body: string
  status: DeliveryStatus
  attempts: number
  /** when the delivery was queued, or queued again ("send again"): the start of its max age */
  queued_at: number
  next_at: number
  last_status: number | null
  last_error: string | null
  last_at: number | null
}

export interface NewDelivery {
  endpointId: string
  seq: number
  kind: string
  chat: string | null
  body: string
}

/** one attempt's outcome, recorded in a batch */
export interface AttemptRecord {
  endpointId: string
  seq: number
  status: DeliveryStatus
  attempts: number
  nextAt: number
  lastStatus: number | null
  lastError: string | null
  at: number
}

const LOG_COLUMNS = 'endpoint_id, seq, kind, chat_jid, status, attempts, queued_at, next_at, last_status, last_error, last_at'

export class Outbox {
  private readonly db: Database.Database
  private readonly stmts

  constructor(path: string) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
    this.db = new Database(path)
    // it holds message texts (the bodies): the owner's only (SQLite gives -wal and -shm the mode of the file)
    chmodSync(path, 0o600)
    this.db.pragma('journal_mode = WAL')
    this.db.pragma('synchronous = NORMAL')
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS cursors (endpoint_id TEXT PRIMARY KEY, after_seq INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS deliveries (
        endpoint_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        kind TEXT NOT NULL,
        chat_jid TEXT,
        body TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        queued_at INTEGER NOT NULL,
        next_at INTEGER NOT NULL,
        last_status INTEGER,
        last_error TEXT,
        last_at INTEGER,
        PRIMARY KEY (endpoint_id, seq)
      );
      CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries(next_at, seq) WHERE status = 'pending';
      CREATE INDEX IF NOT EXISTS deliveries_recent ON deliveries(queued_at);
    `)
    this.stmts = {
      getMeta: this.db.prepare('SELECT value FROM meta WHERE key = ?').pluck(),
      setMeta: this.db.prepare('INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
      cursors: this.db.prepare('SELECT endpoint_id, after_seq FROM cursors'),
      setCursor: this.db.prepare('INSERT INTO cursors(endpoint_id, after_seq) VALUES (?, ?) ON CONFLICT(endpoint_id) DO UPDATE SET after_seq = excluded.after_seq'),
      dropCursor: this.db.prepare('DELETE FROM cursors WHERE endpoint_id = ?'),
      dropPending: this.db.prepare(`DELETE FROM deliveries WHERE endpoint_id = ? AND status = 'pending'`),
      insert: this.db.prepare(`INSERT INTO deliveries(endpoint_id, seq, kind, chat_jid, body, status, queued_at, next_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT DO NOTHING`),
      due: this.db.prepare(`SELECT * FROM deliveries WHERE status = 'pending' AND next_at <= ? AND +endpoint_id IN (SELECT value FROM json_each(?)) ORDER BY next_at, seq LIMIT ?`),
      nextAt: this.db.prepare(`SELECT min(next_at) FROM deliveries WHERE status = 'pending' AND +endpoint_id IN (SELECT value FROM json_each(?))`).pluck(),
      record: this.db.prepare('UPDATE deliveries SET status = ?, attempts = ?, next_at = ?, last_status = ?, last_error = ?, last_at = ? WHERE endpoint_id = ? AND seq = ?'),
      requeue: this.db.prepare(`UPDATE deliveries SET status = 'pending', attempts = 0, queued_at = ?, next_at = ? WHERE endpoint_id = ? AND seq = ?`),
      get: this.db.prepare(`SELECT ${LOG_COLUMNS} FROM deliveries WHERE endpoint_id = ? AND seq = ?`),
      counts: this.db.prepare('SELECT endpoint_id, status, count(*) AS n FROM deliveries GROUP BY endpoint_id, status'),
      prune: this.db.prepare(`DELETE FROM deliveries WHERE status != 'pending' AND queued_at < ?`)
    }
  }

  meta(key: string): string | undefined {
    return this.stmts.getMeta.get(key) as string | undefined
  }

  setMeta(key: string, value: string): void {
    this.stmts.setMeta.run(key, value)
  }

  /** every endpoint's cursor: the last event seq it has delivery rows for (or was skipped past) */
  cursors(): Map<string, number> {
    return new Map((this.stmts.cursors.all() as Array<{ endpoint_id: string; after_seq: number }>).map((r) => [r.endpoint_id, r.after_seq]))
  }

  /** the delivery rows and the cursors they move, in one transaction (see the header) */
  enqueue(rows: readonly NewDelivery[], cursors: ReadonlyMap<string, number>, now = Date.now()): void {
    this.db.transaction(() => {
      for (const r of rows) this.stmts.insert.run(r.endpointId, r.seq, r.kind, r.chat, r.body, now, now)
      for (const [id, seq] of cursors) this.stmts.setCursor.run(id, seq)
    })()
  }

  /** forgets an endpoint that was removed: its cursor and what it still had to get; the log stays */
  dropEndpoint(id: string): void {
    this.db.transaction(() => {
      this.stmts.dropCursor.run(id)
      this.stmts.dropPending.run(id)
    })()
  }

  /** pending deliveries of these endpoints due by `now`, soonest first */
  due(endpointIds: readonly string[], now: number, limit: number): Delivery[] {
    return this.stmts.due.all(now, JSON.stringify(endpointIds), limit) as Delivery[]
  }

  /** when the next pending delivery of these endpoints is due, if any */
  nextDueAt(endpointIds: readonly string[]): number | null {
    return (this.stmts.nextAt.get(JSON.stringify(endpointIds)) as number | null) ?? null
  }

  /** attempt outcomes, many in one transaction (the sender batches them per turn of the event loop) */
  record(results: readonly AttemptRecord[]): void {
    this.db.transaction(() => {
      for (const r of results) this.stmts.record.run(r.status, r.attempts, r.nextAt, r.lastStatus, r.lastError, r.at, r.endpointId, r.seq)
    })()
  }

  /** "send again": the delivery is pending and due now, with a fresh count and age; false when unknown */
  requeue(endpointId: string, seq: number, now = Date.now()): boolean {
    return this.stmts.requeue.run(now, now, endpointId, seq).changes > 0
  }

  get(endpointId: string, seq: number): Omit<Delivery, 'body'> | undefined {
    return this.stmts.get.get(endpointId, seq) as Omit<Delivery, 'body'> | undefined
  }

  /** the delivery log, newest event first; `before` pages on seq */
  list(q: { endpointId?: string; status?: DeliveryStatus; before?: number; limit: number }): Array<Omit<Delivery, 'body'>> {
    const where: string[] = []
    const params: unknown[] = []
    if (q.endpointId) where.push('endpoint_id = ?') && params.push(q.endpointId)
    if (q.status) where.push('status = ?') && params.push(q.status)
    if (q.before !== undefined) where.push('seq < ?') && params.push(q.before)
    const sql = `SELECT ${LOG_COLUMNS} FROM deliveries ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC, endpoint_id LIMIT ?`
    return this.db.prepare(sql).all(...params, q.limit) as Array<Omit<Delivery, 'body'>>
  }

  /** per endpoint, how many deliveries are in each status */
  counts(): Map<string, Record<DeliveryStatus, number>> {
    const out = new Map<string, Record<DeliveryStatus, number>>()
    for (const r of this.stmts.counts.all() as Array<{ endpoint_id: string; status: DeliveryStatus; n: number }>) {
      const c = out.get(r.endpoint_id) ?? { pending: 0, delivered: 0, dead: 0 }
      c[r.status] = r.n
      out.set(r.endpoint_id, c)
    }
    return out
  }

  /** drops settled deliveries queued before `before` (the log's retention) */
  prune(before: number): number {
    return this.stmts.prune.run(before).changes
  }

  close(): void {
    this.db.close()
  }
}

// Idempotency keys of sends, kept 24 h (WA_IDEMPOTENCY_TTL_MS) across restarts. A tiny file of its own,
// written by the main thread: the check and the record must be atomic with the send decision.
import Database from 'better-sqlite3'
import { privateDatabase } from './private-files.js'

export interface IdempotencyRecord {
  key: string
  operation: string
  fingerprint: string
  result: unknown
  createdAt: number
}

export class IdempotencyStore {
  private readonly db: Database.Database
  private readonly getStmt
  private readonly putStmt
  private readonly pruneStmt

  constructor(path: string, private readonly ttlMs: number) {
    privateDatabase(path)
    this.db = new Database(path)
    this.db.pragma('journal_mode = WAL')
    this.db.exec('CREATE TABLE IF NOT EXISTS idempotency (key TEXT PRIMARY KEY, operation TEXT NOT NULL, fingerprint TEXT NOT NULL, result TEXT NOT NULL, created_at INTEGER NOT NULL)')
    this.getStmt = this.db.prepare('SELECT key, operation, fingerprint, result, created_at FROM idempotency WHERE key = ? AND created_at > ?')
    this.putStmt = this.db.prepare('INSERT INTO idempotency(key, operation, fingerprint, result, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET operation = excluded.operation, fingerprint = excluded.fingerprint, result = excluded.result, created_at = excluded.created_at')
    this.pruneStmt = this.db.prepare('DELETE FROM idempotency WHERE created_at <= ?')
  }

  get(key: string): IdempotencyRecord | undefined {
    const r = this.getStmt.get(key, Date.now() - this.ttlMs) as { key: string; operation: string; fingerprint: string; result: string; created_at: number } | undefined
    return r ? { key: r.key, operation: r.operation, fingerprint: r.fingerprint, result: JSON.parse(r.result), createdAt: r.created_at } : undefined
  }

  put(key: string, operation: string, fingerprint: string, result: unknown): void {
    this.putStmt.run(key, operation, fingerprint, JSON.stringify(result), Date.now())
  }

  prune(): number {
    return this.pruneStmt.run(Date.now() - this.ttlMs).changes
  }

  close(): void {
    this.db.close()
  }
}

// The approval requests on disk: a SQLite file of the main thread (DATA_DIR/approvals.sqlite, 0600), so the
// admin UI shows what was asked and decided across restarts. A request still pending when the process
// stopped has no call waiting for it any more (the call's connection went with the process): opening the
// store marks such requests expired, with a note that says why.
import Database from 'better-sqlite3'
import { privateDatabase } from '../store/private-files.js'
import type { ApprovalRequest, ApprovalStatus, Decider } from './approval-types.js'

/** decided requests older than this are removed at open (the audit trail keeps the record) */
export const KEEP_DECIDED_MS = 30 * 24 * 3_600_000
export const RESTART_NOTE = 'The server restarted while this request waited; the call that asked is gone.'

interface Row {
  id: string
  code: string
  operation: string
  chat_jid: string
  chat_name: string | null
  preview: string
  args: string
  principal_id: string
  principal_label: string
  status: ApprovalStatus
  decided_by: Decider | null
  note: string | null
  edited_args: string | null
  requested_at: number
  expires_at: number
  decided_at: number | null
}

const toRequest = (r: Row): ApprovalRequest => ({
  id: r.id,
  code: r.code,
  operation: r.operation,
  chatJid: r.chat_jid,
  ...(r.chat_name ? { chatName: r.chat_name } : {}),
  preview: JSON.parse(r.preview),
  args: JSON.parse(r.args),
  principal: { id: r.principal_id, label: r.principal_label },
  status: r.status,
  requestedAt: r.requested_at,
  expiresAt: r.expires_at,
  ...(r.decided_at !== null ? { decidedAt: r.decided_at } : {}),
  ...(r.decided_by ? { decidedBy: r.decided_by } : {}),
  ...(r.note !== null ? { note: r.note } : {}),
  ...(r.edited_args ? { editedArgs: JSON.parse(r.edited_args) } : {})
})

export class ApprovalStore {
  private readonly db: Database.Database
  /** how many pending requests the last open found and expired */
  readonly interrupted: number

  constructor(path: string, now = Date.now()) {
    privateDatabase(path)
    this.db = new Database(path)
    this.db.pragma('journal_mode = WAL')
    this.db.pragma('synchronous = NORMAL')
    this.db.exec(`CREATE TABLE IF NOT EXISTS approvals (id TEXT PRIMARY KEY, code TEXT NOT NULL, operation TEXT NOT NULL, chat_jid TEXT NOT NULL, chat_name TEXT,
      preview TEXT NOT NULL, args TEXT NOT NULL, principal_id TEXT NOT NULL, principal_label TEXT NOT NULL, status TEXT NOT NULL, decided_by TEXT, note TEXT,
      edited_args TEXT, requested_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, decided_at INTEGER);
      CREATE INDEX IF NOT EXISTS approvals_status ON approvals (status, requested_at);
      CREATE INDEX IF NOT EXISTS approvals_code ON approvals (code)`)
    this.interrupted = this.db.prepare("UPDATE approvals SET status = 'expired', note = ?, decided_at = ? WHERE status = 'pending'").run(RESTART_NOTE, now).changes
    this.db.prepare("DELETE FROM approvals WHERE status != 'pending' AND decided_at < ?").run(now - KEEP_DECIDED_MS)
  }

  add(r: ApprovalRequest): void {
    this.db
      .prepare('INSERT INTO approvals (id, code, operation, chat_jid, chat_name, preview, args, principal_id, principal_label, status, requested_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(r.id, r.code, r.operation, r.chatJid, r.chatName ?? null, JSON.stringify(r.preview), JSON.stringify(r.args), r.principal.id, r.principal.label, r.status, r.requestedAt, r.expiresAt)
  }

  /** writes a decision; false when the request was not pending (the first decision wins, also on disk) */
  settle(r: ApprovalRequest): boolean {
    return (
      this.db
        .prepare("UPDATE approvals SET status = ?, decided_by = ?, note = ?, edited_args = ?, decided_at = ? WHERE id = ? AND status = 'pending'")
        .run(r.status, r.decidedBy ?? null, r.note ?? null, r.editedArgs ? JSON.stringify(r.editedArgs) : null, r.decidedAt ?? null, r.id).changes === 1
    )
  }

  get(id: string): ApprovalRequest | undefined {
    const r = this.db.prepare('SELECT * FROM approvals WHERE id = ?').get(id) as Row | undefined
    return r && toRequest(r)
  }

  /** the newest request with this code (codes are short: an old decided one may share it) */
  byCode(code: string): ApprovalRequest | undefined {
    const r = this.db.prepare("SELECT * FROM approvals WHERE code = ? ORDER BY status = 'pending' DESC, requested_at DESC LIMIT 1").get(code.toUpperCase()) as Row | undefined
    return r && toRequest(r)
  }

  /** whether a pending request holds this code (a new one must not share it) */
  codeTaken(code: string): boolean {
    return this.db.prepare("SELECT 1 FROM approvals WHERE code = ? AND status = 'pending'").get(code) !== undefined
  }

  /** every pending request, oldest first, then the `recent` most recently decided */
  list(recent: number): ApprovalRequest[] {
    const pending = this.db.prepare("SELECT * FROM approvals WHERE status = 'pending' ORDER BY requested_at").all() as Row[]
    const decided = this.db.prepare("SELECT * FROM approvals WHERE status != 'pending' ORDER BY decided_at DESC LIMIT ?").all(recent) as Row[]
    return [...pending, ...decided].map(toRequest)
  }

  close(): void {
    this.db.close()
  }
}

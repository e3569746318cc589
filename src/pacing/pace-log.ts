// The sends pacing has let through, and when each linked account was first linked, in a small SQLite file
// of the main thread's own (DATA_DIR/pacing.sqlite, 0600). Its own file rather than the message store's
// messages table: the decision and its record must be one synchronous step on the main thread (two sends
// racing for one slot), while the store is written by the pool's writer thread a batch later; and a send
// paced for later has no message row yet. A restart reloads the last 24 h, so the day's budget survives it.
import Database from 'better-sqlite3'
import { privateDatabase } from '../store/private-files.js'
import { DAY, type PaceSend } from './pace-policy.js'

/** where the log lives under DATA_DIR (store/private-paths.ts, with the other private files) */
export { pacingPath } from '../store/private-paths.js'

export class PaceLog {
  private readonly db: Database.Database
  private readonly insertSend
  private readonly insertChat
  private readonly pruneSends
  private readonly moveSend
  private readonly getAccount
  private readonly putAccount

  constructor(path: string) {
    privateDatabase(path)
    this.db = new Database(path)
    this.db.pragma('journal_mode = WAL')
    this.db.exec(`CREATE TABLE IF NOT EXISTS pace_sends (chat_jid TEXT NOT NULL, at INTEGER NOT NULL, first INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS pace_sends_at ON pace_sends(at);
      CREATE TABLE IF NOT EXISTS pace_chats (jid TEXT PRIMARY KEY, first_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS pace_accounts (jid TEXT PRIMARY KEY, linked_at INTEGER NOT NULL);`)
    privateDatabase(path)
    this.insertSend = this.db.prepare('INSERT INTO pace_sends(chat_jid, at, first) VALUES (?, ?, ?)')
    this.insertChat = this.db.prepare('INSERT OR IGNORE INTO pace_chats(jid, first_at) VALUES (?, ?)')
    this.pruneSends = this.db.prepare('DELETE FROM pace_sends WHERE at <= ?')
    this.moveSend = this.db.prepare('UPDATE pace_sends SET at = ? WHERE rowid = (SELECT rowid FROM pace_sends WHERE chat_jid = ? AND at = ? LIMIT 1)')
    this.getAccount = this.db.prepare('SELECT linked_at FROM pace_accounts WHERE jid = ?')
    this.putAccount = this.db.prepare('INSERT OR IGNORE INTO pace_accounts(jid, linked_at) VALUES (?, ?)')
  }

  /** the sends of the last 24 h before `now` (and any reserved after it), oldest first */
  recent(now: number): PaceSend[] {
    const rows = this.db.prepare('SELECT chat_jid, at, first FROM pace_sends WHERE at > ? ORDER BY at').all(now - DAY) as Array<{ chat_jid: string; at: number; first: number }>
    return rows.map((r) => ({ chat: r.chat_jid, at: r.at, first: r.first === 1 }))
  }

  /** every chat pacing ever let a send through to */
  knownChats(): Set<string> {
    return new Set((this.db.prepare('SELECT jid FROM pace_chats').all() as Array<{ jid: string }>).map((r) => r.jid))
  }

  add(s: PaceSend): void {
    this.db.transaction(() => {
      this.insertSend.run(s.chat, s.at, s.first ? 1 : 0)
      this.insertChat.run(s.chat, s.at)
    })()
  }

  /** a send went later than its reservation: it counts from then */
  move(s: PaceSend, at: number): void {
    this.moveSend.run(at, s.chat, s.at)
  }

  /** drops sends older than the longest window (24 h) */
  prune(now: number): void {
    this.pruneSends.run(now - DAY)
  }

  /** when `jid` was first seen linked here; recorded now when this is the first time */
  linkedAt(jid: string, now: number): number {
    this.putAccount.run(jid, now)
    return (this.getAccount.get(jid) as { linked_at: number }).linked_at
  }

  close(): void {
    this.db.close()
  }
}

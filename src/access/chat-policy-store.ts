// The per-chat policy the admin sets ("never for agents", "read only", "sends need approval"), kept in
// the access file beside the credentials and held in memory as one snapshot: every read of every caller
// consults it, so a lookup is a Map get and a change makes a new snapshot with a new version.
import Database from 'better-sqlite3'
import { privateDatabase } from '../store/private-files.js'
import { AppError } from '../errors/app-error.js'
import { CHAT_POLICIES, type ChatPolicy, type PolicySnapshot } from './chat-policy.js'

export interface ChatPolicyEntry {
  jid: string
  policy: ChatPolicy
  updated_at: number
}

export class ChatPolicyStore {
  private readonly db: Database.Database
  private snap: PolicySnapshot
  private entries = new Map<string, ChatPolicyEntry>()

  constructor(path: string, private readonly now: () => number = Date.now) {
    privateDatabase(path)
    this.db = new Database(path)
    this.db.pragma('journal_mode = WAL')
    this.db.exec('CREATE TABLE IF NOT EXISTS chat_policy (jid TEXT PRIMARY KEY, policy TEXT NOT NULL, updated_at INTEGER NOT NULL)')
    for (const r of this.db.prepare('SELECT jid, policy, updated_at FROM chat_policy').all() as ChatPolicyEntry[]) {
      if ((CHAT_POLICIES as readonly string[]).includes(r.policy)) this.entries.set(r.jid, r)
    }
    this.snap = this.build(1)
  }

  private build(version: number): PolicySnapshot {
    const byJid = new Map([...this.entries.values()].map((e) => [e.jid, e.policy]))
    return { version, byJid, never: [...byJid].filter(([, p]) => p === 'never').map(([j]) => j) }
  }

  /** the policies now; a new object after every change */
  snapshot(): PolicySnapshot {
    return this.snap
  }

  list(): ChatPolicyEntry[] {
    return [...this.entries.values()].sort((a, b) => a.jid.localeCompare(b.jid))
  }

  get(jid: string): ChatPolicy | undefined {
    return this.snap.byJid.get(jid)
  }

  /** sets a chat's policy; `null` clears it (the chat then follows the credentials alone) */
  set(jid: string, policy: ChatPolicy | null): ChatPolicyEntry | null {
    if (policy !== null && !(CHAT_POLICIES as readonly string[]).includes(policy)) throw new AppError('CHAT_POLICY_INVALID', `policy: one of ${CHAT_POLICIES.join(', ')}, or null to clear it`)
    if (policy === null) {
      this.db.prepare('DELETE FROM chat_policy WHERE jid = ?').run(jid)
      this.entries.delete(jid)
    } else {
      const e = { jid, policy, updated_at: this.now() }
      this.db.prepare('INSERT INTO chat_policy (jid, policy, updated_at) VALUES (?, ?, ?) ON CONFLICT(jid) DO UPDATE SET policy = excluded.policy, updated_at = excluded.updated_at').run(jid, policy, e.updated_at)
      this.entries.set(jid, e)
    }
    this.snap = this.build(this.snap.version + 1)
    return this.entries.get(jid) ?? null
  }

  close(): void {
    this.db.close()
  }
}

// The event log's writer side: what an agent may want to hear of, one numbered row per change, written by
// the store's writer inside the transaction of the change (apply-batch.ts), so a stored change always has
// its event and an event always has its change. Only live changes are logged: a history sync is the past.
import type { Db } from './open-db.js'

/** the kinds of event, a stable public contract (get_updates filters on them, prompts rely on them) */
export const EVENT_KINDS = [
  'message',
  'message_edited',
  'message_revoked',
  'reaction',
  'receipt',
  'poll_vote',
  'chat_updated',
  'group_updated',
  'group_participants',
  'contact_renamed',
  'connection'
] as const
export type EventKind = (typeof EVENT_KINDS)[number]

/** how long and how many events are kept (EVENT_LOG_RETENTION_DAYS, EVENT_LOG_MAX_EVENTS) */
export interface EventRetention {
  maxAgeMs: number
  maxEvents: number
}
export const DEFAULT_RETENTION: EventRetention = { maxAgeMs: 7 * 86_400_000, maxEvents: 1_000_000 }
/** pruning runs once in this many writes: a DELETE by the primary key range, cheap but not free */
const PRUNE_EVERY = 256

export class EventLogWriter {
  private readonly put
  private readonly pruneStmt
  private writes = 0
  /** chats that got an event in the current write: their resources are announced as updated */
  readonly touched = new Set<string>()

  constructor(db: Db) {
    this.put = db.prepare('INSERT INTO events(at, kind, chat_jid, message_id, actor_jid, data) VALUES (?, ?, ?, ?, ?, ?)')
    this.pruneStmt = db.prepare(`DELETE FROM events WHERE seq <= coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0) - ? OR at < ?`)
  }

  record(kind: EventKind, chat: string | null | undefined, messageId: string | null | undefined, actor: string | null | undefined, data?: Record<string, unknown>, at = Date.now()): void {
    this.put.run(at, kind, chat ?? null, messageId ?? null, actor ?? null, data ? JSON.stringify(data) : null)
    if (chat) this.touched.add(chat)
  }

  /** called once per write transaction */
  maybePrune(retention: EventRetention, now = Date.now()): void {
    if (++this.writes % PRUNE_EVERY !== 0) return
    this.pruneStmt.run(retention.maxEvents, now - retention.maxAgeMs)
  }
}

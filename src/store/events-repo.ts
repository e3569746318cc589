// The event log's reader side (main thread, read-only connection): pages of events after a sequence
// number, read in one snapshot with the log's newest number so a page and its cursor never disagree.
import type { Db } from './open-db.js'
import { statementCache } from './open-db.js'
import type { EventKind } from './event-log.js'
import { scopeWhere } from '../access/chat-policy.js'
import type { ChatScope } from '../access/principal.js'

export interface EventRow {
  seq: number
  at: number
  kind: EventKind
  chat_jid: string | null
  message_id: string | null
  actor_jid: string | null
  data: string | null
  /** for message events: the message's text and type, read with the event */
  body: string | null
  type: string | null
  from_me: number | null
}

export interface EventQuery {
  after: number
  chats?: string[]
  kinds?: readonly EventKind[]
  limit: number
  /** a credential's chats; events of no chat (connection changes) pass */
  scope?: ChatScope
}

export interface MessageEventQuery {
  after: number
  chat?: string
  from?: string
  contains?: string
  limit: number
  scope?: ChatScope
}

export class EventsRepo {
  private readonly prepare: ReturnType<typeof statementCache>

  constructor(private readonly db: Db) {
    this.prepare = statementCache(db)
  }

  /** the number of the newest event ever written (pruning never lowers it), and of the oldest still kept */
  bounds(): { last: number; first: number | null } {
    const last = (this.prepare(`SELECT seq FROM sqlite_sequence WHERE name = 'events'`).get() as { seq: number } | undefined)?.seq ?? 0
    const first = (this.prepare('SELECT min(seq) AS s FROM events').get() as { s: number | null }).s
    return { last, first }
  }

  storeId(): string {
    return (this.prepare(`SELECT value FROM meta WHERE key = 'store_id'`).get() as { value: string } | undefined)?.value ?? ''
  }

  /** events after `after`, oldest first, and the newest number this read considered */
  page(q: EventQuery): { events: EventRow[]; last: number } {
    return this.db.transaction(() => {
      const where = ['e.seq > ?']
      const params: unknown[] = [q.after]
      if (q.chats?.length) {
        where.push(`e.chat_jid IN (${q.chats.map(() => '?').join(',')})`)
        params.push(...q.chats)
      }
      if (q.kinds?.length) {
        where.push(`e.kind IN (${q.kinds.map(() => '?').join(',')})`)
        params.push(...q.kinds)
      }
      const scoped = scopeWhere(q.scope, 'e.chat_jid', true)
      if (scoped) where.push(scoped.sql), params.push(...scoped.params)
      const events = this.prepare(
        `SELECT e.seq, e.at, e.kind, e.chat_jid, e.message_id, e.actor_jid, e.data, m.body, m.type, m.from_me FROM events e
         LEFT JOIN messages m ON e.kind IN ('message', 'message_edited') AND m.chat_jid = e.chat_jid AND m.id = e.message_id
         WHERE ${where.join(' AND ')} ORDER BY e.seq LIMIT ?`
      ).all(...params, q.limit) as EventRow[]
      return { events, last: this.bounds().last }
    })()
  }

  /** incoming messages after `after` matching the filters, oldest first (wait_for_messages) */
  incoming(q: MessageEventQuery): { rows: Array<{ seq: number; chat_jid: string; message_id: string }>; last: number } {
    return this.db.transaction(() => {
      const where = [`e.seq > ?`, `e.kind = 'message'`, `m.from_me = 0`]
      const params: unknown[] = [q.after]
      if (q.chat) {
        where.push('e.chat_jid = ?')
        params.push(q.chat)
      }
      if (q.from) {
        where.push('m.sender_jid = ?')
        params.push(q.from)
      }
      const scoped = scopeWhere(q.scope, 'e.chat_jid')
      if (scoped) where.push(scoped.sql), params.push(...scoped.params)
      if (q.contains) {
        where.push(`m.body LIKE ? ESCAPE '\\'`)
        params.push(`%${q.contains.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)
      }
      const rows = this.prepare(
        `SELECT e.seq, e.chat_jid, e.message_id FROM events e JOIN messages m ON m.chat_jid = e.chat_jid AND m.id = e.message_id
         WHERE ${where.join(' AND ')} ORDER BY e.seq LIMIT ?`
      ).all(...params, q.limit) as Array<{ seq: number; chat_jid: string; message_id: string }>
      return { rows, last: this.bounds().last }
    })()
  }
}

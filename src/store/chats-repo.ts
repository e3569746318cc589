// Chat reads: cheap, indexed, one page at a time (main thread, read-only connection).
import { statementCache, type Db } from './open-db.js'
import { decodeCursor, encodeCursor } from './cursor.js'
import { scopeWhere } from '../access/chat-policy.js'
import type { ChatScope } from '../access/principal.js'

export interface ChatRow {
  jid: string
  name: string | null
  is_group: boolean
  unread_count: number
  marked_unread: boolean
  archived: boolean
  pinned: boolean
  last_message_at: number | null
  last_message: { id: string; from_me: boolean; type: string; body: string | null; timestamp: number } | null
}

const DISPLAY_NAME = `coalesce(c.name, g.subject, k.name, k.notify, k.verified_name, CASE WHEN c.jid LIKE '%@s.whatsapp.net' THEN '+' || substr(c.jid, 1, instr(c.jid, '@') - 1) END)`

interface RawChat {
  jid: string
  name: string | null
  is_group: number
  unread_count: number
  marked_unread: number
  archived: number
  pinned: number
  last_message_at: number | null
  m_id: string | null
  m_from_me: number | null
  m_type: string | null
  m_body: string | null
  m_ts: number | null
}

const SELECT = `SELECT c.jid, ${DISPLAY_NAME} AS name, c.is_group, c.unread_count, c.marked_unread, c.archived, c.pinned, c.last_message_at,
    m.id AS m_id, m.from_me AS m_from_me, m.type AS m_type, m.body AS m_body, m.ts AS m_ts
  FROM chats c
  LEFT JOIN contacts k ON k.jid = c.jid
  LEFT JOIN groups g ON g.jid = c.jid
  LEFT JOIN messages m ON m.seq = (SELECT seq FROM messages WHERE chat_jid = c.jid ORDER BY ts DESC, seq DESC LIMIT 1)`

const toRow = (r: RawChat): ChatRow => ({
  jid: r.jid,
  name: r.name,
  is_group: !!r.is_group,
  unread_count: r.unread_count,
  marked_unread: !!r.marked_unread,
  archived: !!r.archived,
  pinned: !!r.pinned,
  last_message_at: r.last_message_at,
  last_message: r.m_id ? { id: r.m_id, from_me: !!r.m_from_me, type: r.m_type!, body: r.m_body, timestamp: r.m_ts! } : null
})

export interface ListChatsQuery {
  limit: number
  cursor?: string
  query?: string
  onlyGroups?: boolean
  onlyUnread?: boolean
  includeArchived?: boolean
  system?: boolean
  /** unix ms: only chats with a message at or after this */
  updatedSince?: number
  /** only the chats of this scope (a credential's), in the query itself so pages stay full */
  scope?: ChatScope
}

/** what a page's cursor is bound to: which list and every filter */
const chatScope = (q: ListChatsQuery) => ['chats', q.query, !!q.onlyGroups, !!q.onlyUnread, q.includeArchived !== false, !!q.system, q.updatedSince]

export class ChatsRepo {
  private readonly prepare: ReturnType<typeof statementCache>

  constructor(private readonly db: Db) {
    this.prepare = statementCache(db)
  }

  list(q: ListChatsQuery): { chats: ChatRow[]; next_cursor: string | null } {
    // the common page (no name filter): pick the page's chats by index first, join names and last messages after
    if (!q.query) return this.listFast(q)
    const where: string[] = [q.system ? `(c.jid LIKE '%@broadcast' OR c.jid LIKE '%@newsletter')` : `c.jid NOT LIKE '%@broadcast' AND c.jid NOT LIKE '%@newsletter'`]
    const params: unknown[] = []
    if (q.onlyGroups) where.push('c.is_group = 1')
    if (q.onlyUnread) where.push('(c.unread_count > 0 OR c.marked_unread = 1)')
    if (q.includeArchived === false) where.push('c.archived = 0')
    if (q.updatedSince !== undefined) where.push('c.last_message_at >= ?'), params.push(q.updatedSince)
    const scoped = scopeWhere(q.scope, 'c.jid')
    if (scoped) where.push(scoped.sql), params.push(...scoped.params)
    if (q.query) {
      where.push(`(${DISPLAY_NAME} LIKE ? ESCAPE '\\' OR c.jid LIKE ? ESCAPE '\\')`)
      const like = `%${q.query.replace(/[\\%_]/g, (x) => `\\${x}`)}%`
      params.push(like, like)
    }
    const key = decodeCursor(q.cursor, chatScope(q), 2) as [number, string] | undefined
    if (key) {
      where.push('(coalesce(c.last_message_at, 0) < ? OR (coalesce(c.last_message_at, 0) = ? AND c.jid > ?))')
      params.push(key[0], key[0], key[1])
    }
    const rows = this.prepare(`${SELECT} WHERE ${where.join(' AND ')} ORDER BY coalesce(c.last_message_at, 0) DESC, c.jid ASC LIMIT ?`).all(...params, q.limit + 1) as RawChat[]
    const more = rows.length > q.limit
    const page = rows.slice(0, q.limit).map(toRow)
    const last = page.at(-1)
    return { chats: page, next_cursor: more && last ? encodeCursor(chatScope(q), [last.last_message_at ?? 0, last.jid]) : null }
  }

  private listFast(q: ListChatsQuery): { chats: ChatRow[]; next_cursor: string | null } {
    const where: string[] = [q.system ? `(jid LIKE '%@broadcast' OR jid LIKE '%@newsletter')` : `jid NOT LIKE '%@broadcast' AND jid NOT LIKE '%@newsletter'`]
    const params: unknown[] = []
    if (q.onlyGroups) where.push('is_group = 1')
    if (q.onlyUnread) where.push('(unread_count > 0 OR marked_unread = 1)')
    if (q.includeArchived === false) where.push('archived = 0')
    if (q.updatedSince !== undefined) where.push('last_message_at >= ?'), params.push(q.updatedSince)
    const scoped = scopeWhere(q.scope, 'jid')
    if (scoped) where.push(scoped.sql), params.push(...scoped.params)
    const key = decodeCursor(q.cursor, chatScope(q), 2) as [number, string] | undefined
    if (key) {
      where.push('(last_message_at < ? OR (last_message_at = ? AND jid > ?))')
      params.push(key[0], key[0], key[1])
    }
    const sql = `WITH page AS (SELECT * FROM chats INDEXED BY chats_recent WHERE ${where.join(' AND ')} ORDER BY last_message_at DESC, jid ASC LIMIT ?)
      ${SELECT.replace('FROM chats c', 'FROM page c')} ORDER BY c.last_message_at DESC, c.jid ASC`
    const rows = this.prepare(sql).all(...params, q.limit + 1) as RawChat[]
    const more = rows.length > q.limit
    const page = rows.slice(0, q.limit).map(toRow)
    const last = page.at(-1)
    return { chats: page, next_cursor: more && last ? encodeCursor(chatScope(q), [last.last_message_at ?? 0, last.jid]) : null }
  }

  get(jid: string): ChatRow | undefined {
    const r = this.prepare(`${SELECT} WHERE c.jid = ?`).get(jid) as RawChat | undefined
    return r ? toRow(r) : undefined
  }

  /**
   * Row counts of the store (0 on an empty store, never null). Messages are counted by the writer
   * (meta.message_count, schema v7): count(*) walks an index, 25 ms of the main thread on a million
   * messages. The other tables are small; their answer is kept until another connection commits (SQLite's
   * data_version changes), since the status view asks far more often than the store changes.
   */
  counts(): { chats: number; messages: number; contacts: number; groups: number } {
    const version = this.db.pragma('data_version', { simple: true }) as number
    if (this.countsCache?.version !== version) {
      const value = this.prepare(`SELECT (SELECT count(*) FROM chats) AS chats, coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'message_count'), 0) AS messages, (SELECT count(*) FROM contacts) AS contacts, (SELECT count(*) FROM groups) AS groups`).get() as never
      this.countsCache = { version, value }
    }
    return { ...this.countsCache.value }
  }

  private countsCache?: { version: number; value: { chats: number; messages: number; contacts: number; groups: number } }
}

// Messages across every chat in a time window, newest or oldest first: "what came in since this morning"
// in one paged read instead of list_chats plus one list_messages per chat. There is no index on the time
// alone (every index costs the history ingest), so the query walks the chats active in the window by
// chats_recent and each one's messages by messages_chat_ts: the work is the window's messages, not the
// store's.
import type { statementCache } from './open-db.js'
import { scopeWhere } from '../access/chat-policy.js'
import type { ChatScope } from '../access/principal.js'
import { decodeCursor, encodeCursor } from './cursor.js'
import { MESSAGE_JSON } from './messages-repo.js'
import { HAS_CARDS, cardsJson } from './message-fields.js'

export interface RecentQuery {
  /** unix ms: only messages at or after this */
  since: number
  /** unix ms: only messages before this */
  until?: number
  order: 'newest_first' | 'oldest_first'
  limit: number
  cursor?: string
  fromMe?: boolean
  /** only the chats of this scope (a credential's) */
  scope?: ChatScope
}

/** one page as the JSON text of the tools' message objects, with the cursor of the next page */
export function recentMessagesJson(prepare: ReturnType<typeof statementCache>, q: RecentQuery): { json: string; next_cursor: string | null } {
  const scope = ['recent', q.since, q.until, q.order, q.fromMe]
  const newest = q.order === 'newest_first'
  const where = ['c.last_message_at >= ?', `c.jid NOT LIKE '%@broadcast' AND c.jid NOT LIKE '%@newsletter'`, 'm.ts >= ?']
  const params: unknown[] = [q.since, q.since]
  if (q.until !== undefined) where.push('m.ts < ?'), params.push(q.until)
  if (q.fromMe !== undefined) where.push('m.from_me = ?'), params.push(q.fromMe ? 1 : 0)
  const scoped = scopeWhere(q.scope, 'c.jid')
  if (scoped) where.push(scoped.sql), params.push(...scoped.params)
  const key = decodeCursor(q.cursor, scope, 2) as [number, number] | undefined
  if (key) where.push(newest ? '(m.ts < ? OR (m.ts = ? AND m.seq < ?))' : '(m.ts > ? OR (m.ts = ? AND m.seq > ?))'), params.push(key[0], key[0], key[1])
  const dir = newest ? 'DESC' : 'ASC'
  const rows = prepare(
    `SELECT ${MESSAGE_JSON}, m.ts, m.seq, ${HAS_CARDS} FROM chats c INDEXED BY chats_recent CROSS JOIN messages m ON m.chat_jid = c.jid
      WHERE ${where.join(' AND ')} ORDER BY m.ts ${dir}, m.seq ${dir} LIMIT ?`
  )
    .raw(true)
    .all(...params, q.limit + 1) as Array<[string, number, number, number]>
  const more = rows.length > q.limit
  const page = more ? rows.slice(0, q.limit) : rows
  const last = page.at(-1)
  return { json: `[${page.map((r) => (r[3] ? cardsJson(r[0]) : r[0])).join(',')}]`, next_cursor: more && last ? encodeCursor(scope, [last[1], last[2]]) : null }
}

// Message reads: keyset pages per chat, one message, its context window, and FTS5 search.
import { scopeWhere } from '../access/chat-policy.js'
import type { ChatScope } from '../access/principal.js'
import { statementCache, type Db } from './open-db.js'
import { decodeCursor, encodeCursor } from './cursor.js'
import { HAS_CARDS, MEDIA_KEYS, STATUS_NAMES, cardNames, cardsJson, parseVcards } from './message-fields.js'
import { recentMessagesJson, type RecentQuery } from './recent-messages.js'
import { translateQuery } from './fts-query.js'
import { AppError } from '../errors/app-error.js'

export interface MessageRow {
  chat_jid: string
  id: string
  from_me: boolean
  sender_jid: string | null
  sender_name: string | null
  timestamp: number
  type: string
  body: string | null
  media: Record<string, unknown> | null
  /** for contact cards: the people on them, with their numbers */
  contact_cards?: Array<{ name: string; phones: Array<{ number: string; jid?: string }> }>
  has_thumbnail: boolean
  quoted_id: string | null
  quoted_sender: string | null
  mentions: string[] | null
  status: number | null
  edited: boolean
  revoked: boolean
  reactions: Array<{ sender_jid: string; emoji: string }>
  /** for polls: who chose what */
  poll_votes?: Array<{ voter_jid: string; selected: string[] }>
  snippet?: string
}

interface RawMessage {
  seq: number
  chat_jid: string
  id: string
  from_me: number
  sender_jid: string | null
  sender_name: string | null
  ts: number
  type: string
  body: string | null
  media: string | null
  has_thumb: number
  quoted_id: string | null
  quoted_sender: string | null
  mentions: string | null
  status: number | null
  edited_at: number | null
  revoked: number
  snippet?: string
}

// sender names are looked up once per distinct sender of a page (see withNames), not joined per row
const SELECT = `SELECT m.seq, m.chat_jid, m.id, m.from_me, m.sender_jid, m.push_name AS sender_name,
    m.ts, m.type, m.body, m.media, m.thumbnail IS NOT NULL AS has_thumb, m.quoted_id, m.quoted_sender, m.mentions, m.status, m.edited_at, m.revoked
  FROM messages m`

// A bare message id (no chat): there is no index on the id alone (schema v4), so each chat's (chat, id) key
// is probed instead. CROSS JOIN keeps chats as the outer loop; every message's chat has a row in chats.
// The newest wins when two chats hold the same id.
const BARE_ID_SEQ = 'SELECT m.seq FROM chats c CROSS JOIN messages m ON m.chat_jid = c.jid AND m.id = ? ORDER BY m.ts DESC LIMIT 1'

// One message as the tools' JSON text (schemas.ts toMessage of a row with its names, reactions and votes),
// spelled out key by key so that empty fields are left out as toMessage leaves them out. json_quote(NULL)
// is the text null: nullif turns it back into NULL, and a NULL member disappears in coalesce.
const opt = (key: string, json: string): string => `coalesce(',"${key}":' || ${json}, '')`
const optText = (key: string, expr: string): string => opt(key, `nullif(json_quote(${expr}), 'null')`)
const SENDER_NAME = `iif(m.from_me OR m.sender_jid IS NULL, iif(m.from_me, NULL, m.push_name), coalesce((SELECT coalesce(c.name, c.notify, c.verified_name) FROM contacts c WHERE c.jid = m.sender_jid), m.push_name))`
// media keys renamed to the tools' snake_case; json_patch onto {} drops the null members (RFC 7396)
const MEDIA_JSON = `iif(m.media IS NULL, NULL, json_patch('{}', json_object(${MEDIA_KEYS.map(([from, to]) => `'${to}', json_extract(m.media, '$.${from}')`).join(', ')})))`
const STATUS_NAME = `CASE m.status ${STATUS_NAMES.map((n, i) => `WHEN ${i} THEN '${n}'`).join(' ')} ELSE CAST(m.status AS TEXT) END`
export const MESSAGE_JSON = `'{"message_id":' || json_quote(m.chat_jid || ':' || m.id) || ',"id":' || json_quote(m.id) || ',"chat_jid":' || json_quote(m.chat_jid)
    || ',"from_me":' || iif(m.from_me, 'true', 'false') || ${optText('sender_jid', 'm.sender_jid')} || ${optText('sender_name', SENDER_NAME)}
    || ',"timestamp":' || m.ts || ',"type":' || json_quote(m.type) || ${optText('body', 'iif(m.revoked, NULL, m.body)')} || ${opt('media', MEDIA_JSON)}
    || ${optText('quoted_id', `m.chat_jid || ':' || m.quoted_id`)} || ${opt('mentions', 'json(m.mentions)')} || ${optText('status', STATUS_NAME)}
    || iif(m.edited_at IS NOT NULL, ',"edited":true', '') || iif(m.revoked, ',"revoked":true', '')
    || coalesce((SELECT ',"reactions":' || json_group_array(json_object('sender_jid', r.sender_jid, 'emoji', r.emoji)) FROM reactions r WHERE r.chat_jid = m.chat_jid AND r.message_id = m.id HAVING count(*) > 0), '')
    || iif(m.type = 'poll', ',"poll_votes":' || (SELECT json_group_array(json_object('voter_jid', v.voter_jid, 'selected', json(v.selected))) FROM poll_votes v WHERE v.chat_jid = m.chat_jid AND v.poll_id = m.id), '')
    || '}'`

const toRow = (r: RawMessage): MessageRow => {
  const cards = r.type === 'contact' || r.type === 'contacts' ? parseVcards(r.body) : undefined
  return {
  chat_jid: r.chat_jid,
  id: r.id,
  from_me: !!r.from_me,
  sender_jid: r.sender_jid,
  sender_name: r.from_me ? null : r.sender_name,
  timestamp: r.ts,
  type: r.type,
  body: r.revoked ? null : cards ? cardNames(cards) : r.body,
  media: r.media ? (JSON.parse(r.media) as Record<string, unknown>) : null,
  ...(cards && !r.revoked ? { contact_cards: cards } : {}),
  has_thumbnail: !!r.has_thumb,
  quoted_id: r.quoted_id,
  quoted_sender: r.quoted_sender,
  mentions: r.mentions ? (JSON.parse(r.mentions) as string[]) : null,
  status: r.status,
  edited: r.edited_at !== null,
  revoked: !!r.revoked,
  reactions: [],
  ...(r.snippet !== undefined ? { snippet: r.snippet } : {})
  }
}


export interface ListMessagesQuery {
  chatJid: string
  limit: number
  cursor?: string
  /** unix ms bounds */
  before?: number
  after?: number
  fromMe?: boolean
}

/** what a page's cursor is bound to: the chat and every filter */
const pageScope = (q: ListMessagesQuery) => ['messages', q.chatJid, q.before, q.after, q.fromMe]

/** the WHERE of one page of a chat, newest first: time bounds, sender side, and the keyset cursor */
function pageWhere(q: ListMessagesQuery): { where: string; params: unknown[] } {
  const where = ['m.chat_jid = ?']
  const params: unknown[] = [q.chatJid]
  if (q.before !== undefined) where.push('m.ts < ?'), params.push(q.before)
  if (q.after !== undefined) where.push('m.ts > ?'), params.push(q.after)
  if (q.fromMe !== undefined) where.push('m.from_me = ?'), params.push(q.fromMe ? 1 : 0)
  const key = decodeCursor(q.cursor, pageScope(q), 2) as [number, number] | undefined
  if (key) where.push('(m.ts < ? OR (m.ts = ? AND m.seq < ?))'), params.push(key[0], key[0], key[1])
  return { where: where.join(' AND '), params }
}

export class MessagesRepo {
  /** reactions and sender names for a page of messages: one indexed query each, instead of one per row */
  private withReactions(rows: MessageRow[]): MessageRow[] {
    if (!rows.length) return rows
    const senders = [...new Set(rows.filter((r) => !r.from_me && r.sender_jid).map((r) => r.sender_jid!))]
    if (senders.length) {
      const names = new Map(
        (this.prepare(`SELECT jid, coalesce(name, notify, verified_name) AS n FROM contacts WHERE jid IN (${senders.map(() => '?').join(',')})`).all(...senders) as Array<{ jid: string; n: string | null }>).map((x) => [x.jid, x.n])
      )
      for (const r of rows) if (!r.from_me && r.sender_jid) r.sender_name = names.get(r.sender_jid) ?? r.sender_name
    }
    // one query for every (chat, id) of the page, whichever chats they come from (search pages span many)
    const pairs = rows.map(() => '(?, ?)').join(',')
    const keyOf = (chat: string, id: string) => `${chat}\u0000${id}`
    const idx = new Map(rows.map((r) => [keyOf(r.chat_jid, r.id), r]))
    const found = this.prepare(`SELECT chat_jid, message_id, sender_jid, emoji FROM reactions WHERE (chat_jid, message_id) IN (VALUES ${pairs})`).all(...rows.flatMap((r) => [r.chat_jid, r.id])) as Array<{ chat_jid: string; message_id: string; sender_jid: string; emoji: string }>
    for (const f of found) idx.get(keyOf(f.chat_jid, f.message_id))?.reactions.push({ sender_jid: f.sender_jid, emoji: f.emoji })
    const polls = rows.filter((r) => r.type === 'poll')
    if (polls.length) {
      for (const p of polls) p.poll_votes = []
      const votes = this.prepare(`SELECT chat_jid, poll_id, voter_jid, selected FROM poll_votes WHERE (chat_jid, poll_id) IN (VALUES ${polls.map(() => '(?, ?)').join(',')})`).all(...polls.flatMap((p) => [p.chat_jid, p.id])) as Array<{ chat_jid: string; poll_id: string; voter_jid: string; selected: string }>
      for (const v of votes) idx.get(keyOf(v.chat_jid, v.poll_id))?.poll_votes?.push({ voter_jid: v.voter_jid, selected: JSON.parse(v.selected) as string[] })
    }
    return rows
  }

  private readonly prepare: ReturnType<typeof statementCache>

  constructor(private readonly db: Db) {
    this.prepare = statementCache(db)
  }

  /** newest first; the cursor walks to older messages */
  list(q: ListMessagesQuery): { messages: MessageRow[]; next_cursor: string | null } {
    const { where, params } = pageWhere(q)
    const rows = this.prepare(`${SELECT} WHERE ${where} ORDER BY m.ts DESC, m.seq DESC LIMIT ?`).all(...params, q.limit + 1) as RawMessage[]
    const more = rows.length > q.limit
    const page = rows.slice(0, q.limit)
    const last = page.at(-1)
    return { messages: this.withReactions(page.map(toRow)), next_cursor: more && last ? encodeCursor(pageScope(q), [last.ts, last.seq]) : null }
  }

  /**
   * The same page as `list`, as the JSON text of the tool's message objects, built by SQLite: one value per
   * row crosses into JavaScript instead of seventeen, and nothing is serialized again (list_messages' hot path).
   */
  listJson(q: ListMessagesQuery): { json: string; next_cursor: string | null } {
    const { where, params } = pageWhere(q)
    const rows = this.prepare(`SELECT ${MESSAGE_JSON}, m.ts, m.seq, ${HAS_CARDS} FROM messages m WHERE ${where} ORDER BY m.ts DESC, m.seq DESC LIMIT ?`)
      .raw(true)
      .all(...params, q.limit + 1) as Array<[string, number, number, number]>
    const more = rows.length > q.limit
    const page = more ? rows.slice(0, q.limit) : rows
    const last = page.at(-1)
    return { json: `[${page.map((r) => (r[3] ? cardsJson(r[0]) : r[0])).join(',')}]`, next_cursor: more && last ? encodeCursor(pageScope(q), [last[1], last[2]]) : null }
  }

  /** messages across every chat in a time window, as JSON text (see recent-messages.ts) */
  recentJson(q: RecentQuery): { json: string; next_cursor: string | null } {
    return recentMessagesJson(this.prepare, q)
  }

  get(id: string, chatJid?: string): MessageRow | undefined {
    const r = (chatJid
      ? this.prepare(`${SELECT} WHERE m.chat_jid = ? AND m.id = ?`).get(chatJid, id)
      : this.prepare(`${SELECT} WHERE m.seq = (${BARE_ID_SEQ})`).get(id)) as RawMessage | undefined
    return r ? this.withReactions([toRow(r)])[0] : undefined
  }

  thumbnail(chatJid: string, id: string): Buffer | undefined {
    return (this.prepare('SELECT thumbnail FROM messages WHERE chat_jid = ? AND id = ?').get(chatJid, id) as { thumbnail: Buffer | null } | undefined)?.thumbnail ?? undefined
  }

  /** `before` older and `after` newer messages around the target, oldest first */
  context(id: string, before: number, after: number, chatJid?: string): { target: MessageRow; before: MessageRow[]; after: MessageRow[] } | undefined {
    const t = (chatJid
      ? this.prepare('SELECT seq, chat_jid, ts FROM messages WHERE chat_jid = ? AND id = ?').get(chatJid, id)
      : this.prepare(`SELECT seq, chat_jid, ts FROM messages WHERE seq = (${BARE_ID_SEQ})`).get(id)) as { seq: number; chat_jid: string; ts: number } | undefined
    if (!t) return undefined
    const older = this.prepare(`${SELECT} WHERE m.chat_jid = ? AND (m.ts < ? OR (m.ts = ? AND m.seq < ?)) ORDER BY m.ts DESC, m.seq DESC LIMIT ?`).all(t.chat_jid, t.ts, t.ts, t.seq, before) as RawMessage[]
    const newer = this.prepare(`${SELECT} WHERE m.chat_jid = ? AND (m.ts > ? OR (m.ts = ? AND m.seq > ?)) ORDER BY m.ts ASC, m.seq ASC LIMIT ?`).all(t.chat_jid, t.ts, t.ts, t.seq, after) as RawMessage[]
    const target = this.prepare(`${SELECT} WHERE m.seq = ?`).get(t.seq) as RawMessage
    return { target: this.withReactions([toRow(target)])[0]!, before: this.withReactions(older.reverse().map(toRow)), after: this.withReactions(newer.map(toRow)) }
  }

  /**
   * Full-text search (FTS5, diacritic-insensitive, ranked by bm25, with snippets); the query language is
   * fts-query.ts'. Queries shorter than three characters cannot use the index well and fall back to
   * substring matching, newest first.
   */
  search(q: { query: string; chatJid?: string; limit: number; cursor?: string; scope?: ChatScope }): { messages: MessageRow[]; next_cursor: string | null } {
    const scoped = scopeWhere(q.scope, 'chat_jid')
    const cursorScope = ['search', q.query.trim(), q.chatJid]
    const offset = (decodeCursor(q.cursor, cursorScope, 1) as [number] | undefined)?.[0] ?? 0
    const text = q.query.trim()
    const like = (t: string) => `%${t.replace(/[\\%_]/g, (x) => `\\${x}`)}%`
    const fts = text.length < 3 ? { match: null, literals: [text] } : translateQuery(text)
    let rows: RawMessage[]
    if (!fts.match) {
      // too short for the index, or nothing but symbols: substring matching, newest first
      const where = ['m.revoked = 0', ...fts.literals.map(() => `m.body LIKE ? ESCAPE '\\'`)]
      const params: unknown[] = fts.literals.map(like)
      if (!fts.literals.length) throw new AppError('INVALID_INPUT', `"${text}" has no word to find (a -word only leaves out); add one.`)
      if (q.chatJid) where.push('m.chat_jid = ?'), params.push(q.chatJid)
      if (scoped) where.push(`m.${scoped.sql}`), params.push(...scoped.params)
      rows = this.prepare(`${SELECT} WHERE ${where.join(' AND ')} ORDER BY m.ts DESC, m.seq DESC LIMIT ? OFFSET ?`).all(...params, q.limit + 1, offset) as RawMessage[]
    } else {
      // rank inside the FTS index and take one page of rowids with their snippets (FTS5 consumes ORDER BY
      // rank, so snippets are made for that page only); then only those rows are read. Literal checks
      // (c++) and the chat filter narrow the rowids by the messages table.
      const SNIPPET = `snippet(messages_fts, 0, '[', ']', '…', 12)`
      const narrow = [...(q.chatJid ? ['chat_jid = ? AND revoked = 0'] : scoped ? [`${scoped.sql} AND revoked = 0`] : []), ...fts.literals.map(() => `body LIKE ? ESCAPE '\\'`)]
      const narrowParams = [...(q.chatJid ? [q.chatJid] : scoped ? scoped.params : []), ...fts.literals.map(like)]
      const hits = (narrow.length
        ? this.prepare(`SELECT rowid, ${SNIPPET} AS s FROM messages_fts WHERE messages_fts MATCH ? AND rowid IN (SELECT seq FROM messages WHERE ${narrow.join(' AND ')}) ORDER BY rank LIMIT ? OFFSET ?`).all(fts.match, ...narrowParams, q.limit + 1, offset)
        : this.prepare(`SELECT rowid, ${SNIPPET} AS s FROM messages_fts WHERE messages_fts MATCH ? ORDER BY rank LIMIT ? OFFSET ?`).all(fts.match, q.limit + 1, offset)) as Array<{ rowid: number; s: string }>
      if (!hits.length) rows = []
      else {
        const byId = new Map((this.prepare(`${SELECT} WHERE m.seq IN (${hits.map(() => '?').join(',')}) AND m.revoked = 0`).all(...hits.map((h) => h.rowid)) as RawMessage[]).map((r) => [r.seq, r]))
        rows = hits.flatMap((h) => {
          const r = byId.get(h.rowid)
          return r ? [{ ...r, snippet: h.s ?? r.body ?? '' }] : []
        })
      }
    }
    const more = rows.length > q.limit
    return { messages: this.withReactions(rows.slice(0, q.limit).map(toRow)), next_cursor: more ? encodeCursor(cursorScope, [offset + q.limit]) : null }
  }

  /** `scope`: a person's messages in groups outside it do not count */
  lastInteraction(jid: string, scope?: ChatScope): MessageRow | undefined {
    const scoped = scopeWhere(scope, 'm.chat_jid')
    const r = this.prepare(`${SELECT} WHERE (m.chat_jid = ? OR m.sender_jid = ?)${scoped ? ` AND ${scoped.sql}` : ''} ORDER BY m.ts DESC, m.seq DESC LIMIT 1`).get(jid, jid, ...(scoped?.params ?? [])) as RawMessage | undefined
    return r ? this.withReactions([toRow(r)])[0] : undefined
  }
}

// Shapes shared by several tools (and the admin API): identities, paging, messages, chats, contacts.
import { z } from 'zod'
import { jidByName } from './resolve.js'
import type { Services } from '../app/services.js'
import type { MessageRow } from '../store/messages-repo.js'
import type { ChatRow } from '../store/chats-repo.js'
import type { ContactRow } from '../store/contacts-repo.js'
import { mediaOut, statusName } from '../store/message-fields.js'

export const MAX_PAGE = 200

/** what every JID argument says it takes; a name must match one contact or group exactly (see recipient.ts) */
export const JID_FORMS = 'JID (123@s.whatsapp.net, 123-456@g.us, 123@lid), phone (+1 555 000 1111) or exact name'
export const jidInput = (what = JID_FORMS) => z.string().trim().min(1).max(200).describe(what)
export const limitInput = (def: number, max = MAX_PAGE) => z.number().int().min(1).max(max).default(def)
export const cursorInput = z.string().max(500).optional().describe('a next_cursor')
export const nextCursor = z.string().nullable()
export const messageIdInput = z.string().trim().min(1).max(300).describe('chat_jid:id')

const MESSAGE_FIELDS =
  'message_id (chat_jid:id, what every message_id argument takes), id, chat_jid, from_me, sender_jid, sender_name, timestamp (unix ms), type, body (text or caption), media {mimetype, file_name, file_length, seconds, width, height}, contact_cards [{name, phones [{number, jid}]}], quoted_id (chat_jid:id), mentions, status (pending, sent, delivered, read, played, error), edited, revoked (deleted for everyone), reactions [{sender_jid, emoji}], poll_votes [{voter_jid, selected}], snippet (search); empty fields are left out'

/**
 * A message as the tools give it. Its fields are named once, in list_messages' output schema; every other
 * tool points there (the catalog is sent to the model on every turn). Typed: what every message has.
 */
export const messageShapeFull = z
  .object({ message_id: z.string(), chat_jid: z.string(), from_me: z.boolean(), timestamp: z.number(), type: z.string() })
  .catchall(z.unknown())
  .meta({ id: 'message', description: MESSAGE_FIELDS })
export const messageShape = z
  .object({ message_id: z.string() })
  .catchall(z.unknown())
  .meta({ id: 'msg', description: 'a message, fields as in list_messages' })
export interface MessageOut {
  message_id: string
  id: string
  chat_jid: string
  from_me: boolean
  timestamp: number
  type: string
  [field: string]: unknown
}

/** the tool shape of a row, empty fields left out, keys in the order messages-repo.ts writes them in SQL */
export function toMessage(m: MessageRow): MessageOut {
  const o: Record<string, unknown> = { message_id: `${m.chat_jid}:${m.id}`, id: m.id, chat_jid: m.chat_jid, from_me: m.from_me }
  if (m.sender_jid !== null) o.sender_jid = m.sender_jid
  if (m.sender_name !== null) o.sender_name = m.sender_name
  o.timestamp = m.timestamp
  o.type = m.type
  if (m.body !== null) o.body = m.body
  if (m.media !== null) o.media = mediaOut(m.media)
  if (m.contact_cards) o.contact_cards = m.contact_cards
  if (m.quoted_id !== null) o.quoted_id = `${m.chat_jid}:${m.quoted_id}`
  if (m.mentions !== null) o.mentions = m.mentions
  if (m.status !== null) o.status = statusName(m.status)
  if (m.edited) o.edited = true
  if (m.revoked) o.revoked = true
  if (m.reactions.length) o.reactions = m.reactions
  if (m.poll_votes) o.poll_votes = m.poll_votes
  if (m.snippet !== undefined) o.snippet = m.snippet
  return o as MessageOut
}

/** a chat: its fields named once, in list_chats' output schema; the other tools point there */
export const chatShapeFull = z
  .object({ jid: z.string(), is_group: z.boolean(), unread_count: z.number() })
  .catchall(z.unknown())
  .meta({ id: 'chat', description: 'jid, name, is_group, unread_count, marked_unread, archived, pinned, last_message_at (unix ms), last_message {message_id (chat_jid:id), id, from_me, type, body, timestamp}; empty fields left out, flags only when true' })
export const chatShape = z.object({ jid: z.string() }).catchall(z.unknown()).meta({ id: 'chat_ref', description: 'a chat, fields as in list_chats' })
export interface ChatOut {
  jid: string
  is_group: boolean
  unread_count: number
  name?: string
  marked_unread?: true
  archived?: true
  pinned?: true
  last_message_at?: number
  last_message?: { message_id: string; id: string; from_me: boolean; type: string; body?: string; timestamp: number }
  [field: string]: unknown
}

/** the tool shape of a chat row, empty fields left out; `withLast` false drops the last message */
export function toChat(c: ChatRow, withLast = true): ChatOut {
  const o: ChatOut = { jid: c.jid, is_group: c.is_group, unread_count: c.unread_count }
  if (c.name !== null) o.name = c.name
  if (c.marked_unread) o.marked_unread = true
  if (c.archived) o.archived = true
  if (c.pinned) o.pinned = true
  if (c.last_message_at !== null) o.last_message_at = c.last_message_at
  const m = withLast ? c.last_message : null
  if (m) o.last_message = { message_id: `${c.jid}:${m.id}`, id: m.id, from_me: m.from_me, type: m.type, ...(m.body !== null ? { body: m.body } : {}), timestamp: m.timestamp }
  return o
}

/** a contact: its fields named once, in search_contacts' output schema */
export const contactShapeFull = z
  .object({ jid: z.string(), display_name: z.string(), is_my_contact: z.boolean() })
  .catchall(z.unknown())
  .meta({ id: 'contact', description: 'jid, lid, phone, name (address book), notify (push name), verified_name, display_name, is_my_contact; unknown fields left out' })
export const contactShape = z.object({ jid: z.string() }).catchall(z.unknown()).meta({ id: 'contact_ref', description: 'a contact, fields as in search_contacts' })
export interface ContactOut {
  jid: string
  display_name: string
  is_my_contact: boolean
  [field: string]: unknown
}

export function toContact(c: ContactRow): ContactOut {
  const o: ContactOut = { jid: c.jid, display_name: c.display_name, is_my_contact: c.is_my_contact }
  if (c.lid !== null) o.lid = c.lid
  if (c.phone !== null) o.phone = c.phone
  if (c.name !== null) o.name = c.name
  if (c.notify !== null) o.notify = c.notify
  if (c.verified_name !== null) o.verified_name = c.verified_name
  return o
}

/**
 * any spelling of a person or chat -> the canonical JID the store uses: a JID, a phone number, or the
 * exact name of one contact or group (NAME_AMBIGUOUS when several have it, WA_JID_INVALID when none);
 * with `scope` (the call's chat access) only names of chats it may see count, so no error names others
 */
export function canonicalJid(s: Services, input: string, scope?: { sees(jid: string): boolean }): string {
  return s.contacts.canonical(input) ?? jidByName(s, input, scope)
}

/** "chat_jid:id" or a bare id -> its parts */
export function parseMessageId(s: Services, input: string): { chatJid?: string; id: string } {
  const at = input.lastIndexOf('@')
  const colon = at >= 0 ? input.indexOf(':', at) : -1
  if (colon > 0) return { chatJid: canonicalJid(s, input.slice(0, colon)), id: input.slice(colon + 1) }
  return { id: input }
}

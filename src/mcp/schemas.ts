// Shapes shared by several tools (and the admin API): identities, paging, messages, chats, contacts.
import { z } from 'zod'
import { AppError } from '../errors/app-error.js'
import type { Services } from '../app/services.js'
import type { MessageRow } from '../store/messages-repo.js'
import type { ChatRow } from '../store/chats-repo.js'
import type { ContactRow } from '../store/contacts-repo.js'

export const MAX_PAGE = 200

export const jidInput = (what = 'a JID (123@s.whatsapp.net, 123@lid, 123-456@g.us) or a phone number (+1 555 000 1111)') => z.string().trim().min(1).max(200).describe(what)
export const limitInput = (def: number, max = MAX_PAGE) => z.number().int().min(1).max(max).default(def).describe(`page size, 1..${max}`)
export const cursorInput = z.string().max(500).optional().describe('next_cursor from the previous page')
export const nextCursor = z.string().nullable().describe('pass as cursor for the next page; null on the last page')

export const messageShape = z
  .object({
    message_id: z.string().describe('chat_jid:id, accepted by every tool that takes a message_id'),
    id: z.string(),
    chat_jid: z.string(),
    from_me: z.boolean(),
    sender_jid: z.string().optional(),
    sender_name: z.string().optional(),
    timestamp: z.number().describe('unix ms'),
    type: z.string(),
    body: z.string().optional().describe('the text or caption; absent for media without a caption and for deleted messages'),
    media: z.record(z.string(), z.unknown()).optional(),
    quoted_id: z.string().optional().describe('the id of the message this one replies to'),
    mentions: z.array(z.string()).optional(),
    status: z.number().optional(),
    edited: z.literal(true).optional(),
    revoked: z.literal(true).optional().describe('deleted for everyone'),
    reactions: z.array(z.object({ sender_jid: z.string(), emoji: z.string() })).optional(),
    poll_votes: z.array(z.object({ voter_jid: z.string(), selected: z.array(z.string()) })).optional().describe('for polls: who chose what'),
    snippet: z.string().optional()
  })
  .describe('a message; fields with nothing to say are left out (no null values, no false flags, no empty reactions), which keeps a page of messages short for a model')
export type MessageOut = z.infer<typeof messageShape>

/** the tool shape of a row, empty fields left out, keys in the order messages-repo.ts writes them in SQL */
export function toMessage(m: MessageRow): MessageOut {
  const o: Record<string, unknown> = { message_id: `${m.chat_jid}:${m.id}`, id: m.id, chat_jid: m.chat_jid, from_me: m.from_me }
  if (m.sender_jid !== null) o.sender_jid = m.sender_jid
  if (m.sender_name !== null) o.sender_name = m.sender_name
  o.timestamp = m.timestamp
  o.type = m.type
  if (m.body !== null) o.body = m.body
  if (m.media !== null) o.media = m.media
  if (m.quoted_id !== null) o.quoted_id = m.quoted_id
  if (m.mentions !== null) o.mentions = m.mentions
  if (m.status !== null) o.status = m.status
  if (m.edited) o.edited = true
  if (m.revoked) o.revoked = true
  if (m.reactions.length) o.reactions = m.reactions
  if (m.poll_votes) o.poll_votes = m.poll_votes
  if (m.snippet !== undefined) o.snippet = m.snippet
  return o as MessageOut
}

export const chatShape = z
  .object({
    jid: z.string(),
    name: z.string().optional(),
    is_group: z.boolean(),
    unread_count: z.number(),
    marked_unread: z.literal(true).optional(),
    archived: z.literal(true).optional(),
    pinned: z.literal(true).optional(),
    last_message_at: z.number().optional().describe('unix ms'),
    last_message: z.object({ id: z.string(), from_me: z.boolean(), type: z.string(), body: z.string().optional(), timestamp: z.number() }).optional()
  })
  .describe('a chat; as with messages, fields with nothing to say are left out (no null values, flags only when true)')

/** the tool shape of a chat row, empty fields left out; `withLast` false drops the last message */
export function toChat(c: ChatRow, withLast = true): z.infer<typeof chatShape> {
  const o: z.infer<typeof chatShape> = { jid: c.jid, is_group: c.is_group, unread_count: c.unread_count }
  if (c.name !== null) o.name = c.name
  if (c.marked_unread) o.marked_unread = true
  if (c.archived) o.archived = true
  if (c.pinned) o.pinned = true
  if (c.last_message_at !== null) o.last_message_at = c.last_message_at
  const m = withLast ? c.last_message : null
  if (m) o.last_message = { id: m.id, from_me: m.from_me, type: m.type, ...(m.body !== null ? { body: m.body } : {}), timestamp: m.timestamp }
  return o
}

export const contactShape = z
  .object({
    jid: z.string(),
    lid: z.string().optional(),
    phone: z.string().optional(),
    name: z.string().optional().describe('the name in the account\'s address book'),
    notify: z.string().optional().describe("the person's own push name"),
    verified_name: z.string().optional(),
    display_name: z.string(),
    is_my_contact: z.boolean()
  })
  .describe('a contact; names and numbers that are not known are left out')

export function toContact(c: ContactRow): z.infer<typeof contactShape> {
  const o: z.infer<typeof contactShape> = { jid: c.jid, display_name: c.display_name, is_my_contact: c.is_my_contact }
  if (c.lid !== null) o.lid = c.lid
  if (c.phone !== null) o.phone = c.phone
  if (c.name !== null) o.name = c.name
  if (c.notify !== null) o.notify = c.notify
  if (c.verified_name !== null) o.verified_name = c.verified_name
  return o
}

/** any spelling of a person or chat -> the canonical JID the store uses */
export function canonicalJid(s: Services, input: string): string {
  const jid = s.contacts.canonical(input)
  if (!jid) throw new AppError('WA_JID_INVALID', `"${input}" is neither a JID nor a phone number.`)
  return jid
}

/** "chat_jid:id" or a bare id -> its parts */
export function parseMessageId(s: Services, input: string): { chatJid?: string; id: string } {
  const at = input.lastIndexOf('@')
  const colon = at >= 0 ? input.indexOf(':', at) : -1
  if (colon > 0) return { chatJid: canonicalJid(s, input.slice(0, colon)), id: input.slice(colon + 1) }
  return { id: input }
}

import { z } from 'zod'
import { defineTool, JsonText, READ_ONLY } from '../tool.js'
import { canonicalJid, cursorInput, jidInput, limitInput, messageIdInput, messageShape, messageShapeFull, nextCursor, parseMessageId, toMessage } from '../schemas.js'
import { compat } from '../catalog-schema.js'
import { timeInput, toMs } from '../time-input.js'
import { AppError } from '../../errors/app-error.js'
import type { Services } from '../../app/services.js'
import type { ChatAccess } from '../../access/chat-policy.js'

/** a message the caller may see: a named chat outside its scope is CHAT_FORBIDDEN, a bare id found there is not found */
function findMessage(s: Services, messageId: string, chats: ChatAccess) {
  const { chatJid, id } = parseMessageId(s, messageId)
  if (chatJid) chats.read(chatJid)
  const m = s.messages.get(id, chatJid)
  if (!m || !chats.sees(m.chat_jid)) throw new AppError('MESSAGE_NOT_FOUND', `No message ${messageId}.`)
  return m
}

export const listMessages = defineTool({
  name: 'list_messages',
  toolset: 'read',
  description: 'Messages of one chat, newest first; next_cursor walks to older ones. Media files: download_media.',
  input: {
    chat_id: jidInput(),
    limit: limitInput(50),
    cursor: cursorInput,
    before: timeInput('only older messages').optional(),
    after: timeInput('only newer messages').optional(),
    include_media: compat(z.boolean().default(false)),
    include_full_data: compat(z.boolean().default(false)),
    media_limit: compat(z.number().int().min(1).max(50).default(5))
  },
  output: { chat_jid: z.string(), messages: z.array(messageShapeFull), next_cursor: nextCursor },
  annotations: { title: 'List messages', ...READ_ONLY },
  storeRead: true,
  async run(a, { services, chats }) {
    const chatJid = chats.read(canonicalJid(services, a.chat_id, chats))
    const r = services.messages.listJson({ chatJid, limit: a.limit, cursor: a.cursor, before: toMs(a.before, 'before'), after: toMs(a.after, 'after') })
    if (r.json === '[]' && !a.cursor && !services.chats.get(chatJid)) throw new AppError('CHAT_NOT_FOUND', `No chat with ${chatJid}.`)
    return new JsonText(`{"chat_jid":${JSON.stringify(chatJid)},"messages":${r.json},"next_cursor":${JSON.stringify(r.next_cursor)}}`)
  }
})

export const listRecentMessages = defineTool({
  name: 'list_recent_messages',
  toolset: 'read',
  description: 'Messages of every chat since a time (system chats left out), newest first or oldest_first; paged with cursor.',
  input: {
    since: timeInput('from this time on'),
    until: timeInput('only earlier messages').optional(),
    order: z.enum(['newest_first', 'oldest_first']).default('newest_first'),
    from_me: z.boolean().optional().describe('only ours (true) or only incoming (false)'),
    limit: limitInput(50),
    cursor: cursorInput
  },
  output: { messages: z.array(messageShape), next_cursor: nextCursor },
  annotations: { title: 'List recent messages', ...READ_ONLY },
  storeRead: true,
  async run(a, { services, chats }) {
    const r = services.messages.recentJson({ since: toMs(a.since, 'since')!, until: toMs(a.until, 'until'), order: a.order, fromMe: a.from_me, limit: a.limit, cursor: a.cursor, scope: chats.scope })
    return new JsonText(`{"messages":${r.json},"next_cursor":${JSON.stringify(r.next_cursor)}}`)
  }
})

export const searchMessages = defineTool({
  name: 'search_messages',
  toolset: 'read',
  description: 'Full-text search of every message, best first, with a [highlighted] snippet; accents ignored. Query: words (all must match; the last also as a prefix), "a phrase", word*, a OR b, -word (leave out); c++ or c# match as written. Under 3 characters: substring, newest first.',
  input: { query: z.string().trim().min(1).max(500), chat_id: jidInput().optional(), limit: limitInput(20, 100), cursor: cursorInput },
  output: { messages: z.array(messageShape), next_cursor: nextCursor },
  annotations: { title: 'Search messages', ...READ_ONLY },
  storeRead: true,
  async run(a, { services, chats }) {
    // off the event loop: a search for common words can touch much of the index
    const r = await services.pool.run<{ json: string; next_cursor: string | null }>('searchMessages', { dbPath: services.config.DB_PATH, query: a.query, chatJid: a.chat_id ? chats.read(canonicalJid(services, a.chat_id, chats)) : undefined, limit: a.limit, cursor: a.cursor, scope: chats.scope })
    return new JsonText(`{"messages":${r.json},"next_cursor":${JSON.stringify(r.next_cursor)}}`)
  }
})

export const getMessageById = defineTool({
  name: 'get_message_by_id',
  toolset: 'read',
  description: 'One message by message_id (chat_jid:id, or the bare id). Error MESSAGE_NOT_FOUND.',
  input: { message_id: messageIdInput },
  output: { message: messageShape },
  annotations: { title: 'Get a message', ...READ_ONLY },
  storeRead: true,
  async run(a, { services, chats }) {
    return { message: toMessage(findMessage(services, a.message_id, chats)) }
  }
})

export const getMessageContext = defineTool({
  name: 'get_message_context',
  toolset: 'read',
  description: 'A message with the ones before and after it in its chat, oldest first; limit sets both sides unless before/after do.',
  input: {
    message_id: messageIdInput,
    limit: z.number().int().min(0).max(100).default(10).describe('messages on each side'),
    before: z.number().int().min(0).max(100).optional(),
    after: z.number().int().min(0).max(100).optional()
  },
  output: { target: messageShape, before: z.array(messageShape), after: z.array(messageShape) },
  annotations: { title: 'Get the context of a message', ...READ_ONLY },
  storeRead: true,
  async run(a, { services, chats }) {
    const { chatJid, id } = parseMessageId(services, a.message_id)
    if (chatJid) chats.read(chatJid)
    const ctx = services.messages.context(id, a.before ?? a.limit, a.after ?? a.limit, chatJid)
    if (!ctx || !chats.sees(ctx.target.chat_jid)) throw new AppError('MESSAGE_NOT_FOUND', `No message ${a.message_id}.`)
    return { target: toMessage(ctx.target), before: ctx.before.map(toMessage), after: ctx.after.map(toMessage) }
  }
})

export const getLastInteraction = defineTool({
  name: 'get_last_interaction',
  toolset: 'read',
  description: 'The newest message with a person (your chat, or theirs in a group) or in a group. Error MESSAGE_NOT_FOUND.',
  input: { jid: jidInput() },
  output: { message: messageShape },
  annotations: { title: 'Get the last interaction', ...READ_ONLY },
  storeRead: true,
  async run(a, { services, chats }) {
    const jid = chats.read(canonicalJid(services, a.jid, chats))
    const m = services.messages.lastInteraction(jid, chats.scope)
    if (!m) throw new AppError('MESSAGE_NOT_FOUND', `No messages with ${jid}.`)
    return { message: toMessage(m) }
  }
})

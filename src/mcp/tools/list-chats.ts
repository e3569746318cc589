import { z } from 'zod'
import { defineTool, READ_ONLY } from '../tool.js'
import { timeInput, toMs } from '../time-input.js'
import { chatShape, chatShapeFull, cursorInput, limitInput, nextCursor, toChat } from '../schemas.js'

export const listChats = defineTool({
  name: 'list_chats',
  toolset: 'read',
  description: 'Chats, newest activity first, with names (address book, push name, subject or number), unread counts and the last message.',
  input: {
    limit: limitInput(20),
    cursor: cursorInput,
    include_last_message: z.boolean().default(true),
    query: z.string().max(200).optional().describe('filter by name or JID substring'),
    only_unread: z.boolean().default(false),
    include_archived: z.boolean().default(true),
    updated_since: timeInput('only chats with a message since').optional()
  },
  output: { chats: z.array(chatShapeFull), next_cursor: nextCursor },
  annotations: { title: 'List chats', ...READ_ONLY },
  storeRead: true,
  async run(a, { services, chats }) {
    const r = services.chats.list({ limit: a.limit, cursor: a.cursor, query: a.query, onlyUnread: a.only_unread, includeArchived: a.include_archived, updatedSince: toMs(a.updated_since, 'updated_since'), scope: chats.scope })
    return { chats: r.chats.map((c) => toChat(c, a.include_last_message)), next_cursor: r.next_cursor }
  }
})

export const listGroups = defineTool({
  name: 'list_groups',
  toolset: 'read',
  description: 'Group chats only, newest activity first.',
  input: { limit: limitInput(20), cursor: cursorInput, include_last_message: z.boolean().default(true), query: z.string().max(200).optional() },
  output: { chats: z.array(chatShape), next_cursor: nextCursor },
  annotations: { title: 'List groups', ...READ_ONLY },
  storeRead: true,
  async run(a, { services, chats }) {
    const r = services.chats.list({ limit: a.limit, cursor: a.cursor, query: a.query, onlyGroups: true, scope: chats.scope })
    return { chats: r.chats.map((c) => toChat(c, a.include_last_message)), next_cursor: r.next_cursor }
  }
})

export const listSystemChats = defineTool({
  name: 'list_system_chats',
  toolset: 'read',
  description: 'Broadcast and newsletter chats, which list_chats leaves out.',
  input: { limit: limitInput(20), cursor: cursorInput },
  output: { chats: z.array(chatShape), next_cursor: nextCursor },
  annotations: { title: 'List system chats', ...READ_ONLY },
  storeRead: true,
  async run(a, { services, chats }) {
    const r = services.chats.list({ limit: a.limit, cursor: a.cursor, system: true, scope: chats.scope })
    return { chats: r.chats.map((c) => toChat(c)), next_cursor: r.next_cursor }
  }
})

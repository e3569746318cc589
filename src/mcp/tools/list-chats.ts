import { z } from 'zod'
import { defineTool, READ_ONLY } from '../tool.js'
import { chatShape, cursorInput, limitInput, nextCursor, toChat } from '../schemas.js'

export const listChats = defineTool({
  name: 'list_chats',
  toolset: 'read',
  description: 'Chats, newest activity first, with display names resolved (address book, push name, group subject or number), unread counts and the last message. Paged with cursor.',
  input: {
    limit: limitInput(20),
    cursor: cursorInput,
    include_last_message: z.boolean().default(true),
    query: z.string().max(200).optional().describe('filter by name or JID substring'),
    only_unread: z.boolean().default(false),
    include_archived: z.boolean().default(true)
  },
  output: { chats: z.array(chatShape), next_cursor: nextCursor },
  annotations: { title: 'List chats', ...READ_ONLY },
  storeRead: true,
  async run(a, { services, chats }) {
    const r = services.chats.list({ limit: a.limit, cursor: a.cursor, query: a.query, onlyUnread: a.only_unread, includeArchived: a.include_archived, scope: chats.scope })
    return { chats: r.chats.map((c) => toChat(c, a.include_last_message)), next_cursor: r.next_cursor }
  }
})

export const listGroups = defineTool({
  name: 'list_groups',
  toolset: 'read',
  description: 'Group chats only, newest activity first, every group the store knows (not only recent ones). Paged with cursor.',
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
  description: 'System chats: status updates and broadcast or newsletter channels, which list_chats leaves out. Paged with cursor.',
  input: { limit: limitInput(20), cursor: cursorInput },
  output: { chats: z.array(chatShape), next_cursor: nextCursor },
  annotations: { title: 'List system chats', ...READ_ONLY },
  storeRead: true,
  async run(a, { services, chats }) {
    const r = services.chats.list({ limit: a.limit, cursor: a.cursor, system: true, scope: chats.scope })
    return { chats: r.chats.map((c) => toChat(c)), next_cursor: r.next_cursor }
  }
})

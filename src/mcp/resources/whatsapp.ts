// The WhatsApp resources: the chat list, the unread chats, and one chat with its latest messages. A client
// that subscribes hears notifications/resources/updated when a committed change touches what it reads
// (resource-updates.ts).
import type { Services } from '../../app/services.js'
import type { ResourceDef, ResourceTemplateDef } from '../dispatcher.js'
import { toChat, toMessage } from '../schemas.js'

export const CHATS_URI = 'whatsapp://chats'
export const INBOX_URI = 'whatsapp://inbox'
const CHAT_PREFIX = 'whatsapp://chats/'
/** how much one resource read shows; the tools page further */
const CHATS_SHOWN = 100
const MESSAGES_SHOWN = 30
const COMPLETIONS_SHOWN = 100

export const chatUri = (jid: string): string => `${CHAT_PREFIX}${encodeURIComponent(jid)}`

/** the chat a resource URI shows, undefined for the lists (whose reads are filtered per reader instead) */
export const chatOfUri = (uri: string): string | undefined => (uri.startsWith(CHAT_PREFIX) ? safeDecode(uri.slice(CHAT_PREFIX.length)) ?? '' : undefined)

const json = (uri: string, value: unknown) => [{ uri, mimeType: 'application/json', text: JSON.stringify(value) }]

export function whatsappResources(s: Services): { resources: ResourceDef[]; templates: ResourceTemplateDef[] } {
  return {
    resources: [
      {
        uri: CHATS_URI,
        name: 'chats',
        title: 'Chats',
        description: `The ${CHATS_SHOWN} most recently active chats, newest first (list_chats pages further).`,
        mimeType: 'application/json',
        read: async (access) => json(CHATS_URI, { chats: s.chats.list({ limit: CHATS_SHOWN, scope: access.scope }).chats.map((c) => toChat(c)) })
      },
      {
        uri: INBOX_URI,
        name: 'inbox',
        title: 'Unread chats',
        description: 'Chats with unread messages or marked unread, newest first.',
        mimeType: 'application/json',
        read: async (access) => json(INBOX_URI, { chats: s.chats.list({ limit: CHATS_SHOWN, onlyUnread: true, scope: access.scope }).chats.map((c) => toChat(c)) })
      }
    ],
    templates: [
      {
        uriTemplate: `${CHAT_PREFIX}{jid}`,
        name: 'chat',
        description: `One chat (a JID such as 15551234567@s.whatsapp.net or 123-456@g.us) with its ${MESSAGES_SHOWN} latest messages, newest first.`,
        mimeType: 'application/json',
        // the JIDs of known chats, most recently active first: by JID prefix or by a piece of the chat's name
        complete: (variable, value, access) => (variable === 'jid' ? s.chats.list({ limit: COMPLETIONS_SHOWN, scope: access.scope, ...(value ? { query: value } : {}) }).chats.map((c) => c.jid) : []),
        match: (uri) => (uri.startsWith(CHAT_PREFIX) && uri.length > CHAT_PREFIX.length ? { jid: safeDecode(uri.slice(CHAT_PREFIX.length)) ?? '' } : undefined),
        read: async (uri, vars, access) => {
          const jid = s.contacts.canonical(vars.jid ?? '')
          if (jid && !access.sees(jid)) return json(uri, { error: { code: 'CHAT_FORBIDDEN', message: `The chat ${jid} is outside what this credential may see.` } })
          const chat = jid ? s.chats.get(jid) : undefined
          if (!jid || !chat) return json(uri, { error: { code: 'CHAT_NOT_FOUND', message: `No chat ${vars.jid}.` } })
          const messages = s.messages.list({ chatJid: jid, limit: MESSAGES_SHOWN }).messages.map(toMessage)
          return json(uri, { chat: toChat(chat), messages })
        }
      }
    ]
  }
}

const safeDecode = (s: string): string | undefined => {
  try {
    return decodeURIComponent(s)
  } catch {
    return undefined
  }
}

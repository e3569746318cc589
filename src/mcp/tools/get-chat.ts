import { z } from 'zod'
import { defineTool, READ_ONLY } from '../tool.js'
import { canonicalJid, chatShape, contactShape, jidInput, limitInput, toChat, toContact } from '../schemas.js'
import { phoneDigits } from '../../store/jid.js'
import { AppError } from '../../errors/app-error.js'
import { resolveContacts, matchShape } from '../resolve.js'

export const getChatById = defineTool({
  name: 'get_chat_by_id',
  toolset: 'read',
  description: 'One chat (a LID and a phone JID of one person give the same). Error CHAT_NOT_FOUND.',
  input: { jid: jidInput() },
  output: { chat: chatShape },
  annotations: { title: 'Get a chat', ...READ_ONLY },
  storeRead: true,
  async run(a, { services, chats }) {
    const jid = chats.read(canonicalJid(services, a.jid, chats))
    const chat = services.chats.get(jid)
    if (!chat) throw new AppError('CHAT_NOT_FOUND', `No chat with ${jid}.`)
    return { chat: toChat(chat) }
  }
})

export const getDirectChatByContactNumber = defineTool({
  name: 'get_direct_chat_by_contact_number',
  toolset: 'read',
  description: 'The 1:1 chat with a phone number ("+44 7700 900123", "0044 7700 900123" and "447700900123" are the same). Error CHAT_NOT_FOUND.',
  input: { phone_number: z.string().trim().min(3).max(40).describe('with country code, e.g. +44 7700 900123') },
  output: { chat: chatShape },
  annotations: { title: 'Get the direct chat with a number', ...READ_ONLY },
  storeRead: true,
  async run(a, { services, chats }) {
    const digits = phoneDigits(a.phone_number)
    if (!/^[0-9]{6,15}$/.test(digits)) throw new AppError('WA_JID_INVALID', `"${a.phone_number}" is not a phone number.`)
    const chat = services.chats.get(chats.read(`${digits}@s.whatsapp.net`))
    if (!chat) throw new AppError('CHAT_NOT_FOUND', `No direct chat with +${digits}.`)
    return { chat: toChat(chat) }
  }
})

export const getChatByContact = defineTool({
  name: 'get_chat_by_contact',
  toolset: 'read',
  description: 'The chat with a contact found by name or number. Without a clear winner (one exact match, or with auto_select_contact a top score 10 above the next), only the candidates: pick one for get_chat_by_id.',
  input: { query: z.string().trim().min(1).max(200), max_candidates: limitInput(5, 50) },
  output: { contact: contactShape.nullable(), chat: chatShape.nullable(), matches: z.array(matchShape) },
  annotations: { title: 'Get the chat with a contact', ...READ_ONLY },
  async run(a, { services, chats }) {
    const matches = resolveContacts(services, a.query, a.max_candidates, chats.scope)
    if (!matches.length) throw new AppError('CONTACT_NOT_FOUND', `No contact matches "${a.query}".`)
    const [top, second] = matches
    const clear = matches.length === 1 || (services.settings.current().auto_select_contact && top!.score >= 90 && top!.score >= (second?.score ?? 0) + 10)
    if (!clear) return { contact: null, chat: null, matches }
    const contact = services.contacts.get(top!.jid)
    const chat = services.chats.get(top!.jid)
    return { contact: contact ? toContact(contact) : null, chat: chat ? toChat(chat) : null, matches }
  }
})

// Acting on messages and chats: react, edit, delete, forward, share a location, contacts or a poll, mark
// read, show presence, and check numbers. Each answers once its change is in the store (Supervisor.write).
import { z } from 'zod'
import { defineTool, READ_REMOTE } from '../tool.js'
import { canonicalJid, jidInput, messageIdInput, parseMessageId } from '../schemas.js'
import { AppError } from '../../errors/app-error.js'
import type { Services } from '../../app/services.js'
import type { SendResult } from '../../wa/worker-api.js'
import { readyToSend } from '../recipient.js'
import { approved } from '../../approvals/gate-call.js'
import { pace } from '../../pacing/pace-send.js'

const ACT = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true } as const
const done = { success: z.literal(true), message_id: z.string(), chat_jid: z.string(), timestamp: z.number() }

/** a message named by chat_jid:id, which must be stored */
function storedMessage(s: Services, input: string, gate: (chat: string) => string): { chatJid: string; id: string } {
  const { chatJid, id } = parseMessageId(s, input)
  if (!chatJid) throw new AppError('INVALID_INPUT', `message_id must be chat_jid:id (as list_messages gives it), got "${input}".`)
  // the caller's scope and the chat policy are judged before the store is asked: a refusal tells nothing of what is stored
  gate(chatJid)
  if (!s.messages.get(id, chatJid)) throw new AppError('MESSAGE_NOT_FOUND', `No stored message ${input}.`)
  return { chatJid, id }
}

const ready = (s: Services) => s.wa.waitReady(s.config.WA_SEND_READY_WAIT_MS)
const out = (r: SendResult) => ({ success: true as const, message_id: `${r.chatJid}:${r.id}`, chat_jid: r.chatJid, timestamp: r.timestamp })

export const sendReaction = defineTool({
  name: 'send_reaction',
  toolset: 'send',
  description: 'Reacts with an emoji; "" removes ours.',
  input: { message_id: messageIdInput, emoji: z.string().max(16).describe('e.g. 👍') },
  output: done,
  annotations: { title: 'React to a message', ...ACT, idempotentHint: true },
  async run(a, ctx) {
    const { services: s, chats } = ctx
    const m = storedMessage(s, a.message_id, (c) => chats.write(c))
    a = await approved(ctx, 'send_reaction', m.chatJid, a)
    await ready(s)
    return out(await s.wa.write('sendReaction', { chatJid: m.chatJid, messageId: m.id, emoji: a.emoji }))
  }
})

export const editMessage = defineTool({
  name: 'edit_message',
  toolset: 'send',
  description: 'Edits the text of our message within 15 minutes (MESSAGE_NOT_EDITABLE otherwise).',
  input: { message_id: messageIdInput, text: z.string().min(1).max(65536) },
  output: done,
  annotations: { title: 'Edit a message', ...ACT, idempotentHint: true },
  async run(a, ctx) {
    const { services: s, chats } = ctx
    const m = storedMessage(s, a.message_id, (c) => chats.write(c))
    a = await approved(ctx, 'edit_message', m.chatJid, a)
    await ready(s)
    return out(await s.wa.write('editMessage', { chatJid: m.chatJid, messageId: m.id, text: a.text }))
  }
})

export const deleteMessage = defineTool({
  name: 'delete_message',
  toolset: 'send',
  description: 'Deletes a message: for_everyone revokes it everywhere (ours, or any in a group we administer); else only from this store.',
  input: { message_id: messageIdInput, for_everyone: z.boolean().default(false) },
  output: { success: z.literal(true), message_id: z.string(), for_everyone: z.boolean() },
  annotations: { title: 'Delete a message', readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  async run(a, ctx) {
    const { services: s, chats } = ctx
    const m = storedMessage(s, a.message_id, (c) => chats.write(c))
    a = await approved(ctx, 'delete_message', m.chatJid, a)
    if (a.for_everyone) await ready(s)
    await s.wa.write('deleteMessage', { chatJid: m.chatJid, messageId: m.id, forEveryone: a.for_everyone })
    return { success: true as const, message_id: `${m.chatJid}:${m.id}`, for_everyone: a.for_everyone }
  }
})

export const forwardMessage = defineTool({
  name: 'forward_message',
  toolset: 'send',
  description: 'Forwards a stored message (text or media) to a chat.',
  input: { message_id: messageIdInput, to: jidInput() },
  output: done,
  annotations: { title: 'Forward a message', ...ACT },
  async run(a, ctx) {
    const { services: s, chats } = ctx
    const m = storedMessage(s, a.message_id, (c) => chats.read(c))
    const to = chats.write(canonicalJid(s, a.to, chats))
    a = await approved(ctx, 'forward_message', to, a)
    await pace(ctx, { operation: 'forward_message', chatJid: to, args: a })
    await readyToSend(s, to)
    return out(await s.wa.write('forwardMessage', { to, chatJid: m.chatJid, messageId: m.id }))
  }
})

export const sendLocation = defineTool({
  name: 'send_location',
  toolset: 'send',
  description: 'Sends a location pin, with an optional place name and address.',
  input: {
    recipient_jid: jidInput(),
    latitude: z.number().min(-90).max(90),
    longitude: z.number().min(-180).max(180),
    name: z.string().max(256).optional(),
    address: z.string().max(512).optional()
  },
  output: done,
  annotations: { title: 'Send a location', ...ACT },
  async run(a, ctx) {
    const { services: s, chats } = ctx
    const to = chats.write(canonicalJid(s, a.recipient_jid, chats))
    a = await approved(ctx, 'send_location', to, a)
    await pace(ctx, { operation: 'send_location', chatJid: to, args: a })
    await readyToSend(s, to)
    return out(await s.wa.write('sendLocation', { to, latitude: a.latitude, longitude: a.longitude, name: a.name, address: a.address }))
  }
})

const cardInput = z.object({
  name: z.string().min(1).max(256),
  phones: z.array(z.string().min(3).max(40)).min(1).max(10).describe('e.g. +15551234567'),
  emails: z.array(z.string().max(256)).max(10).optional(),
  organization: z.string().max(256).optional()
})

export const sendContact = defineTool({
  name: 'send_contact',
  toolset: 'send',
  description: 'Sends contact cards (vCards): contact_jid for a stored contact, or the fields.',
  input: {
    recipient_jid: jidInput(),
    contact_jid: jidInput().optional(),
    contacts: z.array(cardInput).min(1).max(20).optional()
  },
  output: done,
  annotations: { title: 'Send a contact', ...ACT },
  async run(a, ctx) {
    const { services: s, chats } = ctx
    const to = chats.write(canonicalJid(s, a.recipient_jid, chats))
    const cards = [...(a.contacts ?? [])]
    if (a.contact_jid) {
      const jid = chats.read(canonicalJid(s, a.contact_jid, chats))
      const c = s.contacts.get(jid)
      if (!c) throw new AppError('CONTACT_NOT_FOUND', `No contact ${jid} is stored.`)
      const phone = c.phone ?? jid.split('@')[0]!
      cards.push({ name: c.name ?? c.notify ?? `+${phone}`, phones: [`+${phone}`] })
    }
    if (!cards.length) throw new AppError('INVALID_INPUT', 'Give contacts, contact_jid, or both.')
    a = await approved(ctx, 'send_contact', to, a)
    await pace(ctx, { operation: 'send_contact', chatJid: to, args: a })
    await readyToSend(s, to)
    return out(await s.wa.write('sendContacts', { to, contacts: cards }))
  }
})

export const sendPoll = defineTool({
  name: 'send_poll',
  toolset: 'send',
  description: 'Sends a poll of 2 to 12 options; selectable_count 1 = single choice, 0 = any number.',
  input: {
    recipient_jid: jidInput(),
    question: z.string().min(1).max(255),
    options: z.array(z.string().min(1).max(100)).min(2).max(12),
    selectable_count: z.number().int().min(0).max(12).default(1)
  },
  output: done,
  annotations: { title: 'Send a poll', ...ACT },
  async run(a, ctx) {
    const { services: s, chats } = ctx
    if (new Set(a.options).size !== a.options.length) throw new AppError('INVALID_INPUT', 'Poll options must differ from each other.')
    if (a.selectable_count > a.options.length) throw new AppError('INVALID_INPUT', `selectable_count (${a.selectable_count}) is more than the ${a.options.length} options.`)
    const to = chats.write(canonicalJid(s, a.recipient_jid, chats))
    a = await approved(ctx, 'send_poll', to, a)
    await pace(ctx, { operation: 'send_poll', chatJid: to, args: a, text: a.question })
    await readyToSend(s, to)
    return out(await s.wa.write('sendPoll', { to, question: a.question, options: a.options, selectableCount: a.selectable_count }))
  }
})

export const markRead = defineTool({
  name: 'mark_read',
  toolset: 'send',
  description: 'Sends read receipts for messages or a whole chat. Reading with the other tools never marks read.',
  input: { chat_id: jidInput().optional(), message_ids: z.array(messageIdInput).min(1).max(100).optional() },
  output: { success: z.literal(true), chat_jid: z.string(), marked: z.number() },
  annotations: { title: 'Mark as read', ...ACT, idempotentHint: true },
  async run(a, { services: s, chats }) {
    const named = (a.message_ids ?? []).map((id) => storedMessage(s, id, (c) => chats.write(c)))
    const chatJid = a.chat_id ? chats.write(canonicalJid(s, a.chat_id, chats)) : named[0]?.chatJid
    if (!chatJid) throw new AppError('INVALID_INPUT', 'Give chat_id, message_ids, or both.')
    if (named.some((m) => m.chatJid !== chatJid)) throw new AppError('INVALID_INPUT', 'Every message in message_ids must be in the one chat.')
    const chat = s.chats.get(chatJid)
    if (!chat) throw new AppError('CHAT_NOT_FOUND', `No chat with ${chatJid}.`)
    const ids = named.length ? named.map((m) => m.id) : s.messages.list({ chatJid, limit: Math.min(100, Math.max(1, chat.unread_count)) }).messages.filter((m) => !m.from_me).map((m) => m.id)
    await ready(s)
    await s.wa.write('markRead', { chatJid, messageIds: ids })
    return { success: true as const, chat_jid: chatJid, marked: ids.length }
  }
})

export const sendPresence = defineTool({
  name: 'send_presence',
  toolset: 'send',
  description: 'Shows typing (composing), recording or stops it (paused) in a chat, or sets us available / unavailable.',
  input: { state: z.enum(['composing', 'recording', 'paused', 'available', 'unavailable']), chat_id: jidInput('for composing, recording, paused: JID (123@s.whatsapp.net, 123-456@g.us) or name').optional() },
  output: { success: z.literal(true), state: z.string(), chat_jid: z.string().nullable() },
  annotations: { title: 'Send presence', ...ACT, idempotentHint: true },
  async run(a, { services: s, chats }) {
    const inChat = a.state === 'composing' || a.state === 'recording' || a.state === 'paused'
    if (inChat && !a.chat_id) throw new AppError('INVALID_INPUT', `${a.state} is shown in a chat: give chat_id.`)
    const chatJid = inChat ? chats.write(canonicalJid(s, a.chat_id!, chats)) : undefined
    await ready(s)
    await s.wa.call('sendPresence', { state: a.state, chatJid })
    return { success: true as const, state: a.state, chat_jid: chatJid ?? null }
  }
})

export const checkWhatsappNumbers = defineTool({
  name: 'check_whatsapp_numbers',
  toolset: 'read',
  description: 'Which numbers are on WhatsApp, with their JID and LID. International format ("+" or "00").',
  input: { phone_numbers: z.array(z.string().min(3).max(40)).min(1).max(50) },
  output: { results: z.array(z.object({ input: z.string(), on_whatsapp: z.boolean(), jid: z.string().nullable(), lid: z.string().nullable() })) },
  annotations: { title: 'Check WhatsApp numbers', ...READ_REMOTE },
  async run(a, { services: s, chats }) {
    const digits = a.phone_numbers.map((p) => {
      const d = p.trim().replace(/^00/, '').replace(/\D/g, '')
      if (d.length < 6 || d.length > 15) throw new AppError('WA_JID_INVALID', `"${p}" is not an international phone number.`)
      return d
    })
    await ready(s)
    const r = await s.wa.call('onWhatsApp', digits)
    return { results: r.map((x, i) => ({ input: a.phone_numbers[i]!, on_whatsapp: x.exists, jid: x.exists ? (x.jid ?? null) : null, lid: x.exists ? (x.lid ?? null) : null })) }
  }
})

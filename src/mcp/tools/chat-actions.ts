// The account's own handling of its chats (archive, pin, mute, mark unread, clear), kept by WhatsApp as
// app state on the phone and every linked device, and votes on polls. Each answers once the store has it.
import { z } from 'zod'
import { defineTool } from '../tool.js'
import { canonicalJid, chatShape, jidInput, parseMessageId, toChat } from '../schemas.js'
import { AppError } from '../../errors/app-error.js'
import type { Services } from '../../app/services.js'
import { approved } from '../../approvals/gate-call.js'

const ready = (s: Services) => s.wa.waitReady(s.config.WA_SEND_READY_WAIT_MS)

export const updateChat = defineTool({
  name: 'update_chat',
  toolset: 'send',
  description: 'Archives, pins, mutes (until a time, "forever"; "off" unmutes), marks unread or read, or clears a chat (its messages leave this account\'s devices and the store). Only what is given changes.',
  input: {
    chat_id: jidInput(),
    archive: z.boolean().optional(),
    pin: z.boolean().optional(),
    mute_until: z.union([z.number().positive().describe('unix ms'), z.enum(['forever', 'off'])]).optional(),
    mark_unread: z.boolean().optional(),
    clear: z.literal(true).optional()
  },
  output: { chat: chatShape, muted_until: z.number().optional().describe('-1 for ever, 0 unmuted') },
  annotations: { title: 'Change a chat', readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  async run(a, ctx) {
    const { services: s, chats } = ctx
    const jid = chats.write(canonicalJid(s, a.chat_id))
    if (!s.chats.get(jid)) throw new AppError('CHAT_NOT_FOUND', `No chat with ${jid}.`)
    if (a.archive === undefined && a.pin === undefined && a.mute_until === undefined && a.mark_unread === undefined && !a.clear) throw new AppError('INVALID_INPUT', 'Give at least one of archive, pin, mute_until, mark_unread, clear.')
    const muteUntil = a.mute_until === undefined ? undefined : a.mute_until === 'forever' ? -1 : a.mute_until === 'off' ? 0 : a.mute_until
    if (muteUntil !== undefined && muteUntil > 0 && muteUntil <= Date.now()) throw new AppError('INVALID_INPUT', 'mute_until is in the past.')
    a = await approved(ctx, 'update_chat', jid, a)
    await ready(s)
    await s.wa.write('chatModify', { chatJid: jid, archive: a.archive, pin: a.pin, muteUntil, markUnread: a.mark_unread, clear: a.clear })
    return { chat: toChat(s.chats.get(jid)!, false), ...(muteUntil !== undefined ? { muted_until: muteUntil } : {}) }
  }
})

export const votePoll = defineTool({
  name: 'vote_poll',
  toolset: 'send',
  description: 'Votes on a poll by option name (as the poll message lists them); [] takes this account\'s vote back.',
  input: { message_id: z.string().trim().min(1).max(300).describe('chat_jid:id of the poll'), options: z.array(z.string().min(1).max(100)).max(12) },
  output: { success: z.literal(true), message_id: z.string(), options: z.array(z.string()) },
  annotations: { title: 'Vote on a poll', readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  async run(a, ctx) {
    const { services: s, chats } = ctx
    const { chatJid, id } = parseMessageId(s, a.message_id)
    if (!chatJid) throw new AppError('INVALID_INPUT', `message_id must be chat_jid:id (as list_messages gives it), got "${a.message_id}".`)
    // judged before the store is asked: a refusal tells nothing of what is stored
    chats.write(chatJid)
    if (!s.messages.get(id, chatJid)) throw new AppError('MESSAGE_NOT_FOUND', `No stored message ${a.message_id}.`)
    if (new Set(a.options).size !== a.options.length) throw new AppError('INVALID_INPUT', 'Each option once.')
    a = await approved(ctx, 'vote_poll', chatJid, a)
    await ready(s)
    await s.wa.write('votePoll', { chatJid, messageId: id, options: a.options })
    return { success: true as const, message_id: `${chatJid}:${id}`, options: a.options }
  }
})

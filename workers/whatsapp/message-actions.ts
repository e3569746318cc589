// What an agent does to messages besides sending text and media: react, edit, delete, forward, share a
// location, contacts or a poll, mark read, show presence, and ask which numbers are on WhatsApp. Each
// action goes out through Baileys and what it changes is stored like any received change.
import { generateWAMessageFromContent, jidNormalizedUser, type AnyMessageContent, type WAMessage } from '@whiskeysockets/baileys'
import { AppError } from '../../src/errors/app-error.js'
import type { WaHost } from './host.js'
import { encryptVote, pollOptions } from './poll-votes.js'
import type { OnWhatsAppResult, SendResult, Written, ContactCard, PresenceState } from '../../src/wa/worker-api.js'

/** WhatsApp accepts an edit of one's own message within this long of sending it */
export const EDIT_WINDOW_MS = 15 * 60_000


const vcardOf = (c: ContactCard): string => {
  const esc = (s: string) => s.replace(/[\\;,]/g, (x) => `\\${x}`).replace(/[\r\n]+/g, ' ')
  const lines = ['BEGIN:VCARD', 'VERSION:3.0', `FN:${esc(c.name)}`]
  if (c.organization) lines.push(`ORG:${esc(c.organization)}`)
  for (const p of c.phones) {
    const digits = p.replace(/\D/g, '')
    lines.push(`TEL;type=CELL;type=VOICE;waid=${digits}:+${digits}`)
  }
  for (const e of c.emails ?? []) lines.push(`EMAIL:${esc(e)}`)
  lines.push('END:VCARD')
  return lines.join('\n')
}

export class MessageActions {
  constructor(private readonly host: WaHost) {}

  private target(chatJid: string, messageId: string): WAMessage {
    const m = this.host.rawMessage(chatJid, messageId)
    if (!m) throw new AppError('MESSAGE_NOT_FOUND', `No stored message ${messageId} in ${chatJid}.`)
    return m
  }

  private async send(to: string, content: AnyMessageContent, what: string): Promise<SendResult> {
    const sock = this.host.ready()
    try {
      return await this.host.sent(await sock.sendMessage(to, content))
    } catch (err) {
      if (err instanceof AppError) throw err
      throw new AppError('WA_SEND_FAILED', `${what} failed: ${(err as Error).message}`)
    }
  }

  /** an emoji on a message; an empty one removes ours */
  async react(req: { chatJid: string; messageId: string; emoji: string }): Promise<SendResult> {
    const key = this.target(req.chatJid, req.messageId).key
    const sock = this.host.ready()
    const msg = await sock.sendMessage(req.chatJid, { react: { key, text: req.emoji } })
    const me = sock.user?.id
    const seq = this.host.store({ reactions: [{ chatJid: req.chatJid, messageId: req.messageId, senderJid: me ? me.replace(/:\d+@/, '@') : req.chatJid, emoji: req.emoji, timestamp: Date.now() }] })
    return { chatJid: req.chatJid, id: msg?.key.id ?? '', timestamp: Date.now(), seq }
  }

  /** a new text for one of our messages, inside WhatsApp's edit window */
  async edit(req: { chatJid: string; messageId: string; text: string }): Promise<SendResult> {
    const m = this.target(req.chatJid, req.messageId)
    if (!m.key.fromMe) throw new AppError('MESSAGE_NOT_EDITABLE', 'Only messages this account sent can be edited.')
    const sentAt = Number(m.messageTimestamp ?? 0) * 1000
    if (sentAt && Date.now() - sentAt > EDIT_WINDOW_MS) throw new AppError('MESSAGE_NOT_EDITABLE', `WhatsApp allows edits for ${EDIT_WINDOW_MS / 60_000} minutes after sending; this message is older.`)
    const r = await this.send(req.chatJid, { text: req.text, edit: m.key }, 'Editing')
    const seq = this.host.store({ messageUpdates: [{ chatJid: req.chatJid, id: req.messageId, editedBody: req.text, editedAt: Date.now() }] })
    return { ...r, id: req.messageId, seq }
  }

  /** deletes for everyone (ours, or any in a group we administer) or only from this account's store */
  async delete(req: { chatJid: string; messageId: string; forEveryone: boolean }): Promise<Written> {
    const m = this.target(req.chatJid, req.messageId)
    if (req.forEveryone) {
      await this.send(req.chatJid, { delete: m.key }, 'Deleting')
      return { seq: this.host.store({ messageUpdates: [{ chatJid: req.chatJid, id: req.messageId, revoked: true }] }) }
    }
    return { seq: this.host.store({ deletes: [{ chatJid: req.chatJid, ids: [req.messageId] }] }) }
  }

  async forward(req: { to: string; chatJid: string; messageId: string }): Promise<SendResult> {
    return this.send(req.to, { forward: this.target(req.chatJid, req.messageId) }, 'Forwarding')
  }

  async location(req: { to: string; latitude: number; longitude: number; name?: string; address?: string }): Promise<SendResult> {
    return this.send(req.to, { location: { degreesLatitude: req.latitude, degreesLongitude: req.longitude, name: req.name, address: req.address } }, 'Sending the location')
  }

  async contacts(req: { to: string; contacts: ContactCard[] }): Promise<SendResult> {
    const cards = req.contacts.map((c) => ({ displayName: c.name, vcard: vcardOf(c) }))
    return this.send(req.to, { contacts: { displayName: cards.length === 1 ? cards[0]!.displayName : `${cards.length} contacts`, contacts: cards } }, 'Sending the contact')
  }

  async poll(req: { to: string; question: string; options: string[]; selectableCount: number }): Promise<SendResult> {
    return this.send(req.to, { poll: { name: req.question, values: req.options, selectableCount: req.selectableCount } }, 'Sending the poll')
  }

  /**
   * A vote on a stored poll, by option name; [] takes the vote back. MESSAGE_NOT_FOUND, INVALID_INPUT for
   * a message that is no poll, an option it lacks or more options than it allows.
   */
  async votePoll(req: { chatJid: string; messageId: string; options: string[] }): Promise<SendResult> {
    const poll = this.target(req.chatJid, req.messageId)
    const p = pollOptions(poll)
    if (!p) throw new AppError('INVALID_INPUT', `Message ${req.messageId} is not a poll.`)
    const unknown = req.options.filter((o) => !p.options.includes(o))
    if (unknown.length) throw new AppError('INVALID_INPUT', `The poll has no option ${JSON.stringify(unknown[0])}; its options: ${p.options.map((o) => JSON.stringify(o)).join(', ')}.`)
    if (p.selectable > 0 && req.options.length > p.selectable) throw new AppError('INVALID_INPUT', `The poll allows ${p.selectable} choice(s).`)
    const sock = this.host.ready()
    const me = this.host.me()
    // both sides of the key are named by phone number, as the people's phones name them
    const k = poll.key as WAMessage['key'] & { participantAlt?: string; remoteJidAlt?: string }
    const forms = req.chatJid.endsWith('@g.us') ? [k.participant, k.participantAlt] : [k.remoteJid, k.remoteJidAlt, req.chatJid]
    const creatorJid = poll.key.fromMe ? me.jid! : jidNormalizedUser(forms.find((j) => j?.endsWith('@s.whatsapp.net')) ?? forms.find((j) => !!j)!)
    const update = encryptVote(poll, { creatorJid, voterJid: me.jid! }, req.options)
    if (!update) throw new AppError('INVALID_INPUT', 'The stored poll has no secret to vote with.')
    const msg = generateWAMessageFromContent(req.chatJid, { pollUpdateMessage: update }, { userJid: sock.user!.id })
    try {
      await sock.relayMessage(req.chatJid, msg.message!, { messageId: msg.key.id! })
    } catch (err) {
      throw new AppError('WA_SEND_FAILED', `Voting failed: ${(err as Error).message}`)
    }
    const r = await this.host.sent(msg)
    const seq = this.host.store({ pollVotes: [{ chatJid: req.chatJid, pollMessageId: req.messageId, voterJid: me.jid!, selected: req.options, timestamp: Date.now() }] })
    return { ...r, seq }
  }

  /** read receipts for messages (all unread of a chat when none are named) */
  async markRead(req: { chatJid: string; messageIds: string[] }): Promise<Written> {
    const sock = this.host.ready()
    const keys = req.messageIds.map((id) => this.host.rawMessage(req.chatJid, id)?.key).filter((k) => !!k)
    if (keys.length) await sock.readMessages(keys)
    return { seq: this.host.store({ chats: [{ jid: req.chatJid, unreadCount: 0 }] }) }
  }

  async presence(req: { state: PresenceState; chatJid?: string }): Promise<void> {
    const sock = this.host.ready()
    await sock.sendPresenceUpdate(req.state, req.chatJid)
  }

  async onWhatsApp(phones: string[]): Promise<OnWhatsAppResult[]> {
    const sock = this.host.ready()
    const res = (await sock.onWhatsApp(...phones)) ?? []
    return phones.map((input) => {
      const digits = input.replace(/\D/g, '')
      const hit = res.find((r) => r.jid.startsWith(`${digits}@`))
      return { input, exists: !!hit?.exists, jid: hit?.jid, lid: typeof (hit as { lid?: unknown } | undefined)?.lid === 'string' ? (hit as unknown as { lid: string }).lid : undefined }
    })
  }
}

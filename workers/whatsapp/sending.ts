// Text and media sends, and what every send has in common: the message is stored as Baileys returns it,
// once its frame has really left (behind a held receipt it may not have yet).
import { jidNormalizedUser, type AnyMessageContent, type WAMessage } from '@whiskeysockets/baileys'
import { AppError } from '../../src/errors/app-error.js'
import type { SendMediaRequest, SendResult, SendTextRequest } from '../../src/wa/worker-api.js'
import type { WaHost } from './host.js'
import { messageRecord } from './normalize.js'
import type { StoreReader } from './store-reader.js'

export interface SendingDeps {
  host: Omit<WaHost, 'sent'>
  reader: StoreReader
  /** resolves once every frame handed to the socket so far has been written (see AckGate.written) */
  written(): Promise<void>
}

export class Sending {
  constructor(private readonly d: SendingDeps) {}

  /** WA_SEND_FAILED when WhatsApp returned nothing or the connection closed before the frame left */
  async sent(msg: WAMessage | undefined): Promise<SendResult> {
    if (!msg?.key.id || !msg.key.remoteJid) throw new AppError('WA_SEND_FAILED', 'WhatsApp did not accept the message.')
    // a send reported before its frame leaves is lost to a crash (the crash harness found such sends)
    await this.d.written().catch(() => {
      throw new AppError('WA_SEND_FAILED', 'The connection closed before the message left; a retry with the same idempotency_key sends it once.')
    })
    // stored at once, not only when Baileys echoes it: the read tools must see what the account sent
    const chatJid = jidNormalizedUser(msg.key.remoteJid)
    const rec = messageRecord(msg, this.d.host.me(), false)
    this.d.reader.remember(chatJid, msg)
    const seq = rec ? this.d.host.store({ messages: [rec], chats: [{ jid: rec.chatJid, lastMessageAt: rec.timestamp, unreadCount: 0 }] }) : this.d.host.seq()
    return { chatJid, id: msg.key.id, timestamp: rec?.timestamp ?? Date.now(), seq }
  }

  /** MESSAGE_NOT_FOUND when the quoted message is not stored; WA_SEND_FAILED when WhatsApp refuses */
  async text(req: SendTextRequest): Promise<SendResult> {
    const content: AnyMessageContent = { text: req.text, ...(req.mentions?.length ? { mentions: req.mentions } : {}) }
    return this.send(req.to, content, req.quotedMessageId, req.messageId, 'Sending')
  }

  async media(req: SendMediaRequest): Promise<SendResult> {
    const media = { url: req.path }
    const content: AnyMessageContent =
      req.kind === 'image'
        ? { image: media, caption: req.caption, mimetype: req.mimetype }
        : req.kind === 'video'
          ? { video: media, caption: req.caption, mimetype: req.mimetype }
          : req.kind === 'audio' || req.kind === 'voice'
            ? { audio: media, mimetype: req.kind === 'voice' ? 'audio/ogg; codecs=opus' : req.mimetype, ptt: req.kind === 'voice' }
            : req.kind === 'sticker'
              ? { sticker: media, mimetype: req.mimetype }
              : { document: media, mimetype: req.mimetype, fileName: req.fileName ?? 'file', caption: req.caption }
    return this.send(req.to, content, req.quotedMessageId, req.messageId, 'Sending media')
  }

  private async send(to: string, content: AnyMessageContent, quotedId: string | undefined, messageId: string | undefined, what: string): Promise<SendResult> {
    const sock = this.d.host.ready()
    try {
      return await this.sent(await sock.sendMessage(to, content, { quoted: this.quoted(to, quotedId), ...(messageId ? { messageId } : {}) }))
    } catch (err) {
      if (err instanceof AppError) throw err
      throw new AppError('WA_SEND_FAILED', `${what} failed: ${(err as Error).message}`)
    }
  }

  private quoted(to: string, id: string | undefined): WAMessage | undefined {
    if (!id) return undefined
    const q = this.d.reader.rawMessage(to, id)
    if (!q) throw new AppError('MESSAGE_NOT_FOUND', `No stored message ${id} in ${to} to reply to.`)
    return q
  }
}

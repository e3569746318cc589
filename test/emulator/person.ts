// An emulated person (or the account's own phone): sends every kind of message the product must handle,
// receives and decrypts what the account sends, and sends receipts, typing and presence.
import { randomBytes, createHmac, createHash } from 'node:crypto'
import { proto, writeRandomPadMax16, aesEncryptGCM, jidDecode, type MediaType } from '@whiskeysockets/baileys'
import { S_WA, lidJid, now, pnJid, sigAddr, takeRemoteBundle, type Account } from './state.js'
import type { Emulator, PeerMessage } from './emulator.js'

export interface SendOptions {
  id?: string
  ts?: number
  /** how the stanza names the sender: by phone number (default) or by LID */
  addressing?: 'pn' | 'lid'
}

export interface MessageKeyLike {
  id: string
  fromMe?: boolean
  remoteJid?: string
  participant?: string
}

/** a message in the account's own chat ("message yourself") as its phone shows it */
export interface SelfChatMessage {
  id: string
  /** the JID the writer addressed the chat by: the account's phone-number JID or its LID */
  chat: string
  /** the device that wrote it (one of the account's linked devices) */
  from: string
  message: proto.IMessage
}

export const messageId = (): string => randomBytes(10).toString('hex').toUpperCase()

export type MediaKind = 'image' | 'video' | 'audio' | 'ptt' | 'document' | 'sticker'
export interface MediaExtra {
  mimetype?: string
  caption?: string
  fileName?: string
  seconds?: number
}

export class Person {
  readonly jid: string
  readonly lid: string
  /** what the account's clients sent to this person, decrypted */
  readonly inbox: PeerMessage[] = []
  /** for the account's own phone: what its linked devices wrote in the account's own chat, unwrapped */
  readonly selfChat: SelfChatMessage[] = []

  constructor(private readonly emu: Emulator, readonly acc: Account) {
    this.jid = pnJid(acc)
    this.lid = lidJid(acc)
    // a phone shows a message once per id: the same id arriving again (a sender's retry) is not a new message
    const seen = new Set<string>()
    const take = (m: PeerMessage, to: Account): void => {
      if (to !== acc || seen.has(`${m.from} ${m.to} ${m.id}`)) return
      seen.add(`${m.from} ${m.to} ${m.id}`)
      this.inbox.push(m)
      const self = this.asSelfChat(m)
      if (self) {
        this.selfChat.push(self)
        this.emu.emit('self-chat-message', self, acc)
      }
    }
    emu.on('peer-message', take)
    emu.on('peer-group-message', take)
  }

  get phone(): string {
    return this.acc.pn
  }

  get name(): string {
    return this.acc.name
  }

  setProfilePicture(jpeg: Buffer): string {
    this.acc.pictureUrl = this.emu.media.setProfilePicture(this.acc.pn, jpeg)
    return this.acc.pictureUrl
  }

  /** wait until the account sends this person something matching */
  waitFor(match: (m: PeerMessage) => boolean = () => true, timeoutMs = 15_000): Promise<PeerMessage> {
    const hit = this.inbox.find(match)
    if (hit) return Promise.resolve(hit)
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.emu.off('peer-message', on)
        this.emu.off('peer-group-message', on)
        reject(new Error(`${this.name} received nothing matching in ${timeoutMs} ms`))
      }, timeoutMs)
      const on = (m: PeerMessage, to: Account): void => {
        if (to !== this.acc || !match(m)) return
        clearTimeout(t)
        this.emu.off('peer-message', on)
        this.emu.off('peer-group-message', on)
        resolve(m)
      }
      this.emu.on('peer-message', on)
      this.emu.on('peer-group-message', on)
    })
  }

  /**
   * What the account's own phone shows in its self chat: a linked device's copy for the phone comes wrapped
   * (deviceSentMessage, naming the chat), and only the copies whose chat is the account itself count.
   */
  private asSelfChat(m: PeerMessage): SelfChatMessage | undefined {
    if (!this.isOwn(m.from)) return undefined
    const chat = m.message.deviceSentMessage?.destinationJid ?? m.to
    if (!this.isOwn(chat)) return undefined
    return { id: m.id, chat, from: m.from, message: m.message.deviceSentMessage?.message ?? m.message }
  }

  private isOwn(jid: string): boolean {
    const d = jidDecode(jid)
    return !!d && ((d.server === S_WA && d.user === this.acc.pn) || (d.server === 'lid' && d.user === this.acc.lid))
  }

  /** for the account's own phone: wait until one of its linked devices writes something matching in the self chat */
  waitForSelf(match: (m: SelfChatMessage) => boolean = () => true, timeoutMs = 15_000): Promise<SelfChatMessage> {
    const hit = this.selfChat.find(match)
    if (hit) return Promise.resolve(hit)
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.emu.off('self-chat-message', on)
        reject(new Error(`${this.name}'s self chat showed nothing matching in ${timeoutMs} ms`))
      }, timeoutMs)
      const on = (m: SelfChatMessage, acc: Account): void => {
        if (acc !== this.acc || !match(m)) return
        clearTimeout(t)
        this.emu.off('self-chat-message', on)
        resolve(m)
      }
      this.emu.on('self-chat-message', on)
    })
  }

  private target(to: string): Account {
    const acc = this.emu.dir.resolve(to.includes('@') ? to : `${to}@${S_WA}`).acc
    if (!acc) throw new Error(`unknown recipient ${to}`)
    return acc
  }

  /** any proto.Message to an account (1:1) or to a group JID */
  async send(to: string, message: proto.IMessage, opts: SendOptions = {}): Promise<{ id: string; delivered: string[]; ts: number }> {
    const id = opts.id ?? messageId()
    const ts = opts.ts ?? now()
    if (to.endsWith('@g.us')) return { id, ts, delivered: await this.sendGroup(to, message, id, ts) }
    const target = this.target(to)
    if (target === this.acc) throw new Error('use fromMe() to send as the account itself')
    const attrs: Record<string, string> =
      opts.addressing === 'lid'
        ? { from: this.lid, sender_pn: this.jid, addressing_mode: 'lid' }
        : { from: this.jid, sender_lid: this.lid }
    const delivered = await this.emu.encryptToDevices(this.acc, target, message, { ...attrs, id, t: String(ts), type: mediaKindOf(message) ? 'media' : 'text', notify: this.acc.name })
    return { id, ts, delivered }
  }

  /** as the account's own phone: a message to `chat` that its companions receive as sent by themselves */
  async fromMe(chat: string, message: proto.IMessage, opts: SendOptions = {}): Promise<{ id: string; delivered: string[]; ts: number }> {
    const id = opts.id ?? messageId()
    const ts = opts.ts ?? now()
    const destinationJid = chat.includes('@') ? chat : `${chat}@${S_WA}`
    // a LID-addressed copy names the phone by its LID and carries its phone number beside it
    const sender: Record<string, string> = opts.addressing === 'lid' ? { from: this.lid, sender_pn: this.jid, addressing_mode: 'lid' } : { from: this.jid }
    const delivered = await this.emu.encryptToDevices(this.acc, this.acc, { deviceSentMessage: { destinationJid, message } }, { ...sender, recipient: destinationJid, id, t: String(ts), type: 'text', notify: this.acc.name })
    return { id, ts, delivered }
  }

  /**
   * As the account's own phone: a text in `chat` (the self chat too), optionally quoting a message there;
   * a quoted message of the account's own names the account as its author, as the phone does.
   */
  fromMeText(chat: string, text: string, opts: SendOptions & { quoted?: { key: MessageKeyLike; text?: string } } = {}) {
    if (!opts.quoted) return this.fromMe(chat, { conversation: text }, opts)
    const destinationJid = chat.includes('@') ? chat : `${chat}@${S_WA}`
    const q = opts.quoted
    const contextInfo: proto.IContextInfo = { stanzaId: q.key.id, participant: q.key.participant ?? (q.key.fromMe ? this.jid : destinationJid), quotedMessage: { conversation: q.text ?? '' } }
    return this.fromMe(chat, { extendedTextMessage: { text, contextInfo } }, opts)
  }

  private async sendGroup(groupJid: string, message: proto.IMessage, id: string, ts: number): Promise<string[]> {
    const g = this.emu.dir.groups.get(groupJid)
    if (!g) throw new Error(`unknown group ${groupJid}`)
    const signal = this.emu.dir.phoneDevice(this.acc).signal
    const { skdm, ciphertext } = await signal.groupEncrypt(groupJid, sigAddr(this.acc, 0), writeRandomPadMax16(proto.Message.encode(message).finish()))
    const skdmMsg = writeRandomPadMax16(proto.Message.encode({ senderKeyDistributionMessage: { groupId: groupJid, axolotlSenderKeyDistributionMessage: skdm } }).finish())
    const attrs = { from: groupJid, participant: this.lid, participant_pn: this.jid, addressing_mode: 'lid', id, t: String(ts), type: mediaKindOf(message) ? 'media' : 'text', notify: this.acc.name }
    this.emu.retries.noteSent(id, { kind: 'group', from: this.acc, group: groupJid, message, attrs })
    const delivered: string[] = []
    for (const p of g.participants) {
      if (p.acc === this.acc) continue
      for (const dev of this.emu.dir.remoteDevices(p.acc)) {
        if (!dev.signed) continue
        const { type, ciphertext: pk } = await signal.encryptFor(sigAddr(p.acc, dev.id), () => takeRemoteBundle(dev), skdmMsg)
        this.emu.deliverStanza(dev, {
          tag: 'message',
          attrs: { ...attrs },
          content: [
            { tag: 'enc', attrs: { v: '2', type }, content: pk },
            { tag: 'enc', attrs: { v: '2', type: 'skmsg' }, content: Buffer.from(ciphertext) }
          ]
        })
        delivered.push(pnJid(p.acc, dev.id))
      }
    }
    return delivered
  }

  /**
   * This phone forgets its Signal sessions with every device of an account (as after a reinstall): what
   * those devices send next it cannot decrypt, and its retry receipts carry its keys for a new session.
   */
  async dropSessionsWith(phone: string): Promise<void> {
    const acc = this.target(phone)
    const signal = this.emu.dir.phoneDevice(this.acc).signal
    for (const dev of this.emu.dir.remoteDevices(acc)) await signal.dropSession(sigAddr(acc, dev.id))
  }

  /** This phone forgets every group sender key it holds: the next group message it cannot decrypt. */
  dropGroupKeys(): void {
    this.emu.dir.phoneDevice(this.acc).signal.senderKeys.clear()
  }

  // ---- the kinds of message a person sends

  sendText(to: string, text: string, opts: SendOptions & { quoted?: { key: MessageKeyLike; text?: string }; mentions?: string[] } = {}) {
    if (!opts.quoted && !opts.mentions) return this.send(to, { conversation: text }, opts)
    const contextInfo: proto.IContextInfo = {
      ...(opts.quoted ? { stanzaId: opts.quoted.key.id, participant: opts.quoted.key.participant ?? (opts.quoted.key.fromMe ? undefined : this.jid), quotedMessage: { conversation: opts.quoted.text ?? '' } } : {}),
      ...(opts.mentions ? { mentionedJid: opts.mentions } : {})
    }
    return this.send(to, { extendedTextMessage: { text, contextInfo } }, opts)
  }

  react(to: string, key: MessageKeyLike, emoji: string, opts: SendOptions = {}) {
    return this.send(to, { reactionMessage: { key: { remoteJid: key.remoteJid ?? to, fromMe: key.fromMe, id: key.id, participant: key.participant }, text: emoji, senderTimestampMs: Date.now() } }, opts)
  }

  edit(to: string, key: MessageKeyLike, text: string, opts: SendOptions = {}) {
    return this.send(to, { protocolMessage: { key: { remoteJid: key.remoteJid ?? to, fromMe: key.fromMe, id: key.id }, type: proto.Message.ProtocolMessage.Type.MESSAGE_EDIT, editedMessage: { conversation: text }, timestampMs: Date.now() } }, opts)
  }

  revoke(to: string, key: MessageKeyLike, opts: SendOptions = {}) {
    return this.send(to, { protocolMessage: { key: { remoteJid: key.remoteJid ?? to, fromMe: key.fromMe, id: key.id }, type: proto.Message.ProtocolMessage.Type.REVOKE } }, opts)
  }

  sendLocation(to: string, lat: number, lng: number, name?: string, opts: SendOptions = {}) {
    return this.send(to, { locationMessage: { degreesLatitude: lat, degreesLongitude: lng, name } }, opts)
  }

  sendContactCard(to: string, displayName: string, phone: string, opts: SendOptions = {}) {
    const vcard = `BEGIN:VCARD\nVERSION:3.0\nFN:${displayName}\nTEL;type=CELL;waid=${phone}:+${phone}\nEND:VCARD`
    return this.send(to, { contactMessage: { displayName, vcard } }, opts)
  }

  async sendPoll(to: string, name: string, options: string[], opts: SendOptions = {}) {
    const secret = randomBytes(32)
    const sent = await this.send(to, { messageContextInfo: { messageSecret: secret }, pollCreationMessageV3: { name, options: options.map((optionName) => ({ optionName })), selectableOptionsCount: 1 } }, opts)
    return { ...sent, secret, creatorJid: this.jid }
  }

  /** a vote on a poll: the chosen options' hashes, encrypted with the poll's secret as WhatsApp does */
  vote(to: string, poll: { id: string; creatorJid: string; secret: Uint8Array; fromMe?: boolean }, chosen: string[], opts: SendOptions = {}) {
    const sign = Buffer.concat([Buffer.from(poll.id), Buffer.from(poll.creatorJid), Buffer.from(this.jid), Buffer.from('Poll Vote'), Buffer.from([1])])
    const key0 = createHmac('sha256', Buffer.alloc(32)).update(poll.secret).digest()
    const encKey = createHmac('sha256', key0).update(sign).digest()
    const iv = randomBytes(12)
    const plain = proto.Message.PollVoteMessage.encode({ selectedOptions: chosen.map((c) => createHash('sha256').update(c).digest()) }).finish()
    const encPayload = aesEncryptGCM(plain, encKey, iv, Buffer.from(`${poll.id}\u0000${this.jid}`))
    return this.send(to, { pollUpdateMessage: { pollCreationMessageKey: { remoteJid: to.includes('@') ? to : this.jid, fromMe: poll.fromMe ?? false, id: poll.id }, vote: { encPayload, encIv: iv }, senderTimestampMs: Date.now() } }, opts)
  }

  /** a media message whose file is encrypted and on the media server, for sending or for a history sync */
  async mediaMessage(kind: MediaKind, data: Buffer, extra: MediaExtra = {}): Promise<{ message: proto.IMessage; up: { directPath: string; mediaKey: Uint8Array } }> {
    const type: MediaType = kind === 'ptt' ? 'audio' : kind
    const up = await this.emu.media.uploadMedia(data, type)
    const base = { url: up.url, directPath: up.directPath, mediaKey: up.mediaKey, fileSha256: up.fileSha256, fileEncSha256: up.fileEncSha256, fileLength: up.fileLength, mediaKeyTimestamp: up.mediaKeyTimestamp }
    const message: proto.IMessage =
      kind === 'image'
        ? { imageMessage: { ...base, mimetype: extra.mimetype ?? 'image/jpeg', caption: extra.caption, ...(data.length <= 64 * 1024 ? { jpegThumbnail: data } : {}) } }
        : kind === 'video'
          ? { videoMessage: { ...base, mimetype: extra.mimetype ?? 'video/mp4', caption: extra.caption, seconds: extra.seconds ?? 1 } }
          : kind === 'audio' || kind === 'ptt'
            ? { audioMessage: { ...base, mimetype: extra.mimetype ?? 'audio/ogg; codecs=opus', ptt: kind === 'ptt', seconds: extra.seconds ?? 1 } }
            : kind === 'sticker'
              ? { stickerMessage: { ...base, mimetype: 'image/webp' } }
              : { documentMessage: { ...base, mimetype: extra.mimetype ?? 'application/octet-stream', fileName: extra.fileName ?? 'file.bin', caption: extra.caption } }
    return { message, up }
  }

  /** image, video, audio (ptt for a voice note), document or sticker: encrypted and uploaded like a phone does */
  async sendMedia(to: string, kind: MediaKind, data: Buffer, extra: MediaExtra = {}, opts: SendOptions = {}) {
    const { message, up } = await this.mediaMessage(kind, data, extra)
    const sent = await this.send(to, message, opts)
    this.emu.sentMedia.set(sent.id, { chatJid: to.endsWith('@g.us') ? to : this.jid, directPath: up.directPath, mediaKey: up.mediaKey })
    return { ...sent, message, directPath: up.directPath }
  }

  /** read receipts for messages the account sent this person */
  async markRead(to: string, ids: string[]): Promise<void> {
    await Promise.all(ids.map((id) => this.emu.deliveredReceipts.get(`${this.acc.pn}:${id}`)))
    const target = this.target(to)
    for (const dev of this.emu.dir.remoteDevices(target)) {
      this.emu.deliverStanza(dev, {
        tag: 'receipt',
        attrs: { from: this.jid, id: ids[0]!, type: 'read', t: String(now()) },
        content: ids.length > 1 ? [{ tag: 'list', attrs: {}, content: ids.slice(1).map((id) => ({ tag: 'item', attrs: { id } })) }] : undefined
      })
    }
  }

  typing(to: string, state: 'composing' | 'paused' = 'composing'): void {
    for (const dev of this.emu.dir.remoteDevices(this.target(to))) {
      if (dev.conn) dev.conn.send({ tag: 'chatstate', attrs: { from: this.jid }, content: [{ tag: state, attrs: {} }] })
    }
  }

  presence(to: string, available: boolean): void {
    for (const dev of this.emu.dir.remoteDevices(this.target(to))) {
      if (dev.conn) dev.conn.send({ tag: 'presence', attrs: { from: this.jid, ...(available ? {} : { type: 'unavailable', last: String(now()) }) } })
    }
  }
}

function mediaKindOf(m: proto.IMessage): boolean {
  return !!(m.imageMessage || m.videoMessage || m.audioMessage || m.documentMessage || m.stickerMessage)
}

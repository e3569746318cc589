// Baileys events -> StoreBatch records: plain, structured-clone-friendly, identity halves carried along.
// Pure functions of their input (plus the account's own JIDs), so they are tested without a socket.
import { proto, getContentType, normalizeMessageContent, jidNormalizedUser, type WAMessage, type Chat, type Contact, type GroupMetadata, type BaileysEventMap } from '@whiskeysockets/baileys'
import type { ChatRecord, ContactRecord, GroupRecord, MessageRecord, MessageType, MediaInfo, StoreBatch, ReactionRecord, MessageUpdateRecord, ParticipantsChangeRecord } from '../../src/store/batch.js'

export interface Me {
  jid?: string
  lid?: string
}

// a history chunk names the same few JIDs thousands of times: each is normalised once
const normalised = new Map<string, string>()
const norm = (j: string | null | undefined): string | undefined => {
  if (!j) return undefined
  let n = normalised.get(j)
  if (n === undefined) {
    if (normalised.size >= 20_000) normalised.clear()
    n = jidNormalizedUser(j) || ''
    normalised.set(j, n)
  }
  return n || undefined
}
const toMs = (t: number | Long | null | undefined): number => {
  const n = typeof t === 'number' ? t : t ? (t.toNumber?.() ?? Number(t.toString())) : 0
  return n > 1e12 ? n : n * 1000
}
interface Long {
  toString(): string
  toNumber?(): number
}
const hex = (b: Uint8Array | null | undefined): string | undefined => (b && b.length ? Buffer.from(b).toString('hex') : undefined)

/** which of two JIDs is the LID and which the phone JID, as a pair the writer can map */
function alt(jid: string | undefined, other: string | null | undefined): string | undefined {
  const o = norm(other)
  return o && o !== jid ? o : undefined
}

function mediaOf(m: proto.IMessage, kind: string): MediaInfo | undefined {
  const x = (m as Record<string, unknown>)[kind] as
    | { mimetype?: string | null; fileName?: string | null; fileLength?: number | Long | null; seconds?: number | null; width?: number | null; height?: number | null; fileSha256?: Uint8Array | null; jpegThumbnail?: Uint8Array | null }
    | undefined
  if (!x) return undefined
  return {
    mimetype: x.mimetype ?? undefined,
    fileName: x.fileName ?? undefined,
    fileLength: x.fileLength ? Number(x.fileLength.toString()) : undefined,
    seconds: x.seconds ?? undefined,
    width: x.width ?? undefined,
    height: x.height ?? undefined,
    fileSha256: hex(x.fileSha256),
    jpegThumbnail: x.jpegThumbnail && x.jpegThumbnail.length ? new Uint8Array(x.jpegThumbnail) : undefined
  }
}

/** type, body (text, caption or a short rendering) and media of a message's content */
export function describe(content: proto.IMessage | null | undefined): { type: MessageType; body?: string; media?: MediaInfo; contextInfo?: proto.IContextInfo | null } {
  const m = normalizeMessageContent(content)
  if (!m) return { type: 'unknown' }
  const kind = getContentType(m)
  switch (kind) {
    case 'conversation':
      return { type: 'text', body: m.conversation ?? '' }
    case 'extendedTextMessage':
      return { type: 'text', body: m.extendedTextMessage?.text ?? '', contextInfo: m.extendedTextMessage?.contextInfo }
    case 'imageMessage':
      return { type: 'image', body: m.imageMessage?.caption ?? undefined, media: mediaOf(m, kind), contextInfo: m.imageMessage?.contextInfo }
    case 'videoMessage':
      return { type: 'video', body: m.videoMessage?.caption ?? undefined, media: mediaOf(m, kind), contextInfo: m.videoMessage?.contextInfo }
    case 'audioMessage':
      return { type: m.audioMessage?.ptt ? 'voice' : 'audio', media: mediaOf(m, kind), contextInfo: m.audioMessage?.contextInfo }
    case 'documentMessage':
      return { type: 'document', body: m.documentMessage?.caption ?? m.documentMessage?.fileName ?? undefined, media: mediaOf(m, kind), contextInfo: m.documentMessage?.contextInfo }
    case 'stickerMessage':
      return { type: 'sticker', media: mediaOf(m, kind), contextInfo: m.stickerMessage?.contextInfo }
    case 'locationMessage': {
      const l = m.locationMessage!
      return { type: 'location', body: [l.name, l.address, `${l.degreesLatitude},${l.degreesLongitude}`].filter(Boolean).join(' · ') }
    }
    case 'liveLocationMessage':
      return { type: 'live_location', body: m.liveLocationMessage?.caption ?? undefined }
    // the vCard itself, not only the name: readers parse it into contact_cards (src/store/message-fields.ts)
    case 'contactMessage':
      return { type: 'contact', body: m.contactMessage?.vcard || m.contactMessage?.displayName || undefined }
    case 'contactsArrayMessage':
      return { type: 'contacts', body: m.contactsArrayMessage?.contacts?.map((c) => c.vcard || c.displayName).join('\n') }
    case 'pollCreationMessage':
    case 'pollCreationMessageV2':
    case 'pollCreationMessageV3': {
      const p = m[kind]!
      return { type: 'poll', body: `${p.name ?? ''}\n${(p.options ?? []).map((o) => `- ${o.optionName}`).join('\n')}` }
    }
    case 'pollUpdateMessage':
      return { type: 'poll_vote' }
    case 'reactionMessage':
      return { type: 'reaction', body: m.reactionMessage?.text ?? undefined }
    case 'protocolMessage':
      return { type: 'protocol' }
    default:
      return { type: 'unknown' }
  }
}

export function messageRecord(msg: WAMessage, me: Me, fromHistory: boolean): MessageRecord | undefined {
  const key = msg.key
  const chatJid = norm(key.remoteJid)
  if (!chatJid || !key.id || chatJid === 'status@broadcast') return undefined
  const d = describe(msg.message)
  if (d.type === 'protocol' || d.type === 'reaction' || d.type === 'poll_vote') return undefined
  if (!msg.message && msg.messageStubType) {
    // a group event or a call rendered as a system line
    return { chatJid, chatJidAlt: alt(chatJid, key.remoteJidAlt), id: key.id, fromMe: !!key.fromMe, timestamp: toMs(msg.messageTimestamp), type: 'system', body: proto.WebMessageInfo.StubType[msg.messageStubType] ?? String(msg.messageStubType), fromHistory }
  }
  if (!msg.message) return undefined
  const isGroup = chatJid.endsWith('@g.us')
  const senderJid = key.fromMe ? me.jid : isGroup ? norm(key.participant) : chatJid
  const senderJidAlt = key.fromMe ? me.lid : isGroup ? alt(senderJid, key.participantAlt) : alt(chatJid, key.remoteJidAlt)
  // only the fields a message has: every key, even an undefined one, is serialized into the batch and
  // read back in the writer, and a history sync makes a hundred thousand of these
  const rec: MessageRecord = { chatJid, id: key.id, fromMe: !!key.fromMe, timestamp: toMs(msg.messageTimestamp), type: d.type, fromHistory }
  const chatJidAlt = alt(chatJid, key.remoteJidAlt)
  if (chatJidAlt) rec.chatJidAlt = chatJidAlt
  if (senderJid) rec.senderJid = senderJid
  if (senderJidAlt) rec.senderJidAlt = senderJidAlt
  if (!key.fromMe && msg.pushName != null) rec.pushName = msg.pushName
  if (d.body !== undefined) rec.body = d.body
  if (d.media) rec.media = d.media
  const ctx = d.contextInfo
  if (ctx) {
    if (ctx.stanzaId != null) rec.quotedId = ctx.stanzaId
    const quotedSender = norm(ctx.participant)
    if (quotedSender) rec.quotedSenderJid = quotedSender
    if (ctx.mentionedJid?.length) rec.mentions = ctx.mentionedJid.map((j) => norm(j)!).filter(Boolean)
  }
  if (msg.status !== undefined && msg.status !== null) rec.status = msg.status
  // most of a history sync is plain text, whose stored columns say all it holds: rebuilt on demand
  // (plainTextMessage) instead of encoded again for every message of the sync
  if (!fromHistory || !isPlainText(msg)) rec.raw = proto.WebMessageInfo.encode(msg).finish()
  return rec
}

/** a message whose only content is its text, with nothing else worth keeping in its raw form */
function isPlainText(msg: WAMessage): boolean {
  // own properties: a decoded protobuf message holds the fields it was sent with, its defaults live on the prototype
  const m = msg.message as Record<string, unknown>
  for (const k of Object.keys(m)) if (k !== 'conversation' && m[k] != null) return false
  const all = msg as unknown as Record<string, unknown>
  for (const k of Object.keys(all)) if (!PLAIN_FIELDS.has(k) && all[k] != null && !emptyList(all[k])) return false
  return typeof m.conversation === 'string'
}
const emptyList = (v: unknown): boolean => Array.isArray(v) && v.length === 0
// what plainTextMessage gives back; a receipt list or a reaction on the message keeps its raw form
const PLAIN_FIELDS = new Set(['key', 'message', 'messageTimestamp', 'pushName', 'status', 'participant'])

/** the message a stored plain-text row stands for (see isPlainText): for quoting and forwarding */
export function plainTextMessage(row: { chatJid: string; id: string; fromMe: boolean; senderJid?: string | null; ts: number; body: string | null; pushName?: string | null }): WAMessage {
  const isGroup = row.chatJid.endsWith('@g.us')
  return {
    key: { remoteJid: row.chatJid, id: row.id, fromMe: row.fromMe, ...(isGroup && row.senderJid && !row.fromMe ? { participant: row.senderJid } : {}) },
    message: { conversation: row.body ?? '' },
    messageTimestamp: Math.floor(row.ts / 1000),
    ...(row.pushName ? { pushName: row.pushName } : {})
  }
}

/** what one upserted message implies beyond itself: edits, revokes, reactions, unread counts */
export function upsertToBatch(msgs: WAMessage[], type: 'notify' | 'append', me: Me): StoreBatch {
  const batch: Required<Pick<StoreBatch, 'messages' | 'chats' | 'reactions' | 'messageUpdates'>> = { messages: [], chats: [], reactions: [], messageUpdates: [] }
  for (const msg of msgs) {
    const chatJid = norm(msg.key.remoteJid)
    if (!chatJid) continue
    const content = normalizeMessageContent(msg.message)
    const ts = toMs(msg.messageTimestamp)
    const proto_ = content?.protocolMessage
    if (proto_?.key?.id && (proto_.type === proto.Message.ProtocolMessage.Type.REVOKE || proto_.type === proto.Message.ProtocolMessage.Type.MESSAGE_EDIT)) {
      const u: MessageUpdateRecord = { chatJid, chatJidAlt: alt(chatJid, msg.key.remoteJidAlt), id: proto_.key.id }
      if (proto_.type === proto.Message.ProtocolMessage.Type.REVOKE) u.revoked = true
      else {
        u.editedBody = describe(proto_.editedMessage).body
        u.editedAt = toMs(proto_.timestampMs) || ts
      }
      batch.messageUpdates.push(u)
      continue
    }
    if (content?.reactionMessage?.key?.id) {
      const r = content.reactionMessage
      const senderJid = msg.key.fromMe ? me.jid : chatJid.endsWith('@g.us') ? norm(msg.key.participant) : chatJid
      if (senderJid) {
        const rec: ReactionRecord = { chatJid, chatJidAlt: alt(chatJid, msg.key.remoteJidAlt), messageId: r.key!.id!, senderJid, emoji: r.text ?? '', timestamp: toMs(r.senderTimestampMs) || ts }
        batch.reactions.push(rec)
      }
      continue
    }
    const rec = messageRecord(msg, me, false)
    if (!rec) continue
    batch.messages.push(rec)
    const live = type === 'notify' && !msg.key.fromMe && rec.type !== 'system'
    batch.chats.push({ jid: chatJid, jidAlt: rec.chatJidAlt, isGroup: chatJid.endsWith('@g.us'), lastMessageAt: rec.timestamp, ...(live ? { unreadIncrement: 1 } : msg.key.fromMe ? { unreadCount: 0 } : {}) })
  }
  return batch
}

/**
 * `live`: from chats.upsert/update, where a positive count is Baileys' increment for a message that
 * upsertToBatch already counts; only 0 (read) and -1 (marked unread) are taken from those.
 */
export function chatRecord(c: Partial<Chat> & { id?: string | null }, live = false): ChatRecord | undefined {
  const jid = norm(c.id)
  if (!jid) return undefined
  const unread = live && (c.unreadCount ?? 0) > 0 ? undefined : (c.unreadCount ?? undefined)
  return {
    jid,
    jidAlt: alt(jid, (c as { pnJid?: string }).pnJid ?? (c as { lidJid?: string }).lidJid),
    name: c.name ?? undefined,
    isGroup: jid.endsWith('@g.us'),
    // chats.update carries increments for new messages, 0 when read, -1 when marked unread
    ...(unread === -1 ? { markedUnread: true } : unread !== undefined && unread !== null ? { unreadCount: unread } : {}),
    archived: c.archived ?? undefined,
    pinned: c.pinned === undefined || c.pinned === null ? undefined : c.pinned > 0,
    muteEndTime: c.muteEndTime === undefined || c.muteEndTime === null ? undefined : Number(c.muteEndTime),
    lastMessageAt: c.conversationTimestamp ? toMs(c.conversationTimestamp as number) : undefined,
    readOnly: c.readOnly ?? undefined
  }
}

export function contactRecord(c: Partial<Contact>): ContactRecord | undefined {
  const jid = norm(c.id)
  if (!jid) return undefined
  const other = jid.endsWith('@lid') ? c.phoneNumber : c.lid
  return {
    jid,
    jidAlt: alt(jid, other),
    name: c.name ?? undefined,
    notify: c.notify ?? undefined,
    verifiedName: c.verifiedName ?? undefined,
    imgUrl: typeof c.imgUrl === 'string' && c.imgUrl !== 'changed' ? c.imgUrl : undefined,
    status: c.status ?? undefined
  }
}

export function groupRecord(g: Partial<GroupMetadata>): GroupRecord | undefined {
  const jid = norm(g.id)
  if (!jid) return undefined
  return {
    jid,
    subject: g.subject ?? undefined,
    subjectOwner: norm(g.subjectOwner),
    subjectTime: g.subjectTime ? toMs(g.subjectTime) : undefined,
    description: g.desc === undefined ? undefined : (g.desc ?? null),
    owner: norm(g.owner),
    creation: g.creation ? toMs(g.creation) : undefined,
    size: g.size ?? undefined,
    announce: g.announce ?? undefined,
    restrict: g.restrict ?? undefined,
    participants: g.participants?.map((p) => {
      const id = norm(p.id)!
      const pn = norm((p as { phoneNumber?: string }).phoneNumber)
      const lid = norm((p as { lid?: string }).lid)
      return { jid: id, jidAlt: alt(id, id.endsWith('@lid') ? pn : lid), admin: p.admin ?? null }
    })
  }
}

export function participantsChange(e: BaileysEventMap['group-participants.update']): ParticipantsChangeRecord {
  return {
    groupJid: norm(e.id)!,
    action: e.action as ParticipantsChangeRecord['action'],
    participants: e.participants.map((p) => {
      const id = norm(typeof p === 'string' ? p : p.id)!
      const pn = typeof p === 'string' ? undefined : norm((p as { phoneNumber?: string }).phoneNumber)
      return { jid: id, jidAlt: alt(id, pn) }
    }),
    timestamp: Date.now(),
    actorJid: norm((e as { author?: string }).author) ?? undefined
  }
}

export function historyToBatch(h: BaileysEventMap['messaging-history.set'], me: Me): StoreBatch {
  return {
    lidMappings: h.lidPnMappings?.map((m) => ({ lid: m.lid, pn: m.pn })),
    contacts: h.contacts.map(contactRecord).filter((x): x is ContactRecord => !!x),
    chats: h.chats.map((c) => chatRecord(c)).filter((x): x is ChatRecord => !!x),
    messages: h.messages.map((m) => messageRecord(m, me, true)).filter((x): x is MessageRecord => !!x),
    historySync: {
      syncType: h.syncType !== undefined && h.syncType !== null ? (proto.HistorySync.HistorySyncType[h.syncType] ?? String(h.syncType)) : 'unknown',
      progress: h.progress ?? undefined,
      chunkOrder: h.chunkOrder ?? undefined,
      isLatest: h.isLatest,
      messages: h.messages.length,
      chats: h.chats.length,
      contacts: h.contacts.length
    }
  }
}

/** the records of an upsert and an update event, in that order, without the entries that make none */
function recordsOf<T, R>(upserts: readonly T[] | undefined, updates: readonly T[] | undefined, toRecord: (x: T) => R | undefined): R[] {
  const out: R[] = []
  for (const list of [upserts, updates]) for (const x of list ?? []) {
    const r = toRecord(x)
    if (r) out.push(r)
  }
  return out
}

/**
 * The live events of one Baileys flush besides history and new messages, as the batches they make, in
 * the order the store takes them. `upserted` are the messages of the same flush: a contact whose only
 * news is the push name those messages carried is left out (see withoutNameEchoes).
 */
export function liveUpdatesToBatches(events: Partial<BaileysEventMap>, me: Me, withoutNameEchoes: (c: ContactRecord[]) => ContactRecord[]): StoreBatch[] {
  const out: StoreBatch[] = []
  const statuses = (events['messages.update'] ?? [])
    .filter((x) => x.key.remoteJid && x.key.id && x.update.status)
    .map((x) => ({ chatJid: norm(x.key.remoteJid)!, id: x.key.id!, status: x.update.status ?? undefined }))
  if (statuses.length) out.push({ messageUpdates: statuses })
  const reactions = (events['messages.reaction'] ?? []).flatMap((r) => {
    const chatJid = norm(r.key.remoteJid)
    const rk = r.reaction.key
    // the reaction's own key names its author; in a 1:1 chat that is the chat unless it is us
    const sender = rk?.fromMe ? me.jid : (rk?.participant ?? (chatJid?.endsWith('@g.us') ? undefined : chatJid))
    if (!chatJid || !r.key.id || !sender) return []
    return [{ chatJid, messageId: r.key.id, senderJid: norm(sender)!, emoji: r.reaction.text ?? '', timestamp: Number(r.reaction.senderTimestampMs ?? Date.now()) }]
  })
  if (reactions.length) out.push({ reactions })
  const receipts = events['message-receipt.update']
  if (receipts) {
    out.push({
      receipts: receipts.map((r) => ({
        chatJid: norm(r.key.remoteJid)!,
        messageId: r.key.id!,
        userJid: norm(r.receipt.userJid)!,
        type: r.receipt.playedTimestamp ? 'played' : r.receipt.readTimestamp ? 'read' : 'delivered',
        timestamp: Number(r.receipt.readTimestamp ?? r.receipt.receiptTimestamp ?? Date.now() / 1000) * 1000
      }))
    })
  }
  const chats = recordsOf(events['chats.upsert'], events['chats.update'], (c: Partial<Chat>) => chatRecord(c, true))
  const contacts = withoutNameEchoes(recordsOf(events['contacts.upsert'], events['contacts.update'], contactRecord))
  const groups = recordsOf(events['groups.upsert'], events['groups.update'], groupRecord)
  if (chats.length || contacts.length || groups.length) out.push({ chats, contacts, groups })
  if (events['group-participants.update']) out.push({ participants: [participantsChange(events['group-participants.update'])] })
  if (events['lid-mapping.update']) out.push({ lidMappings: [events['lid-mapping.update']] })
  const d = events['messages.delete']
  if (d) out.push({ deletes: 'keys' in d ? d.keys.map((k) => ({ chatJid: norm(k.remoteJid)!, ids: [k.id!] })) : [{ chatJid: norm(d.jid)! }] })
  return out
}

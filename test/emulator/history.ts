// History sync payloads as the phone builds them: conversations with their messages, push names and the
// LID<->phone mappings, split into chunks with progress. A synthetic generator fills benchmark-sized stores.
import { randomBytes } from 'node:crypto'
import { proto } from '@whiskeysockets/baileys'
import { lidJid, now, pnJid, type Account, type Directory } from './state.js'

export interface HistoryMessageSeed {
  id?: string
  fromMe?: boolean
  /** in groups: who wrote it (phone number) */
  from?: string
  text?: string
  message?: proto.IMessage
  /** unix seconds */
  ts?: number
}

export interface HistoryChatSeed {
  /** a phone number, a person's JID, or a group JID */
  jid: string
  name?: string
  unread?: number
  archived?: boolean
  pinned?: boolean
  messages?: HistoryMessageSeed[]
}

export interface HistorySeed {
  chats?: HistoryChatSeed[]
  /** synthetic chats with people the emulator creates, for large syncs */
  generate?: { chats: number; messagesPerChat: number }
  /** messages per chunk */
  chunkSize?: number
}

const hexId = (): string => randomBytes(10).toString('hex').toUpperCase()

/**
 * A synthetic chat as people write one: mostly plain text, every fifth message a reply quoting the one
 * before it (a history is not all plain text, and the store keeps a reply's raw form)
 */
function generatedMessages(chat: number, n: number, t0: number, peer: string): HistoryMessageSeed[] {
  const out: HistoryMessageSeed[] = []
  for (let i = 0; i < n; i++) {
    const text = `message ${i} in chat ${chat} lorem ipsum dolor sit amet`
    const prev = out[i - 1]
    const m: HistoryMessageSeed = { id: hexId(), fromMe: i % 3 === 0, text, ts: t0 + i * 60 }
    if (prev && i % 5 === 4) {
      m.message = { extendedTextMessage: { text, contextInfo: { stanzaId: prev.id, participant: prev.fromMe ? undefined : peer, quotedMessage: { conversation: prev.text } } } }
    }
    out.push(m)
  }
  return out
}

export function buildHistory(dir: Directory, owner: Account, seed: HistorySeed): proto.IHistorySync[] {
  const chats: HistoryChatSeed[] = [...(seed.chats ?? [])]
  if (seed.generate) {
    const t0 = now() - seed.generate.messagesPerChat * 60
    for (let c = 0; c < seed.generate.chats; c++) {
      const phone = `1666${String(c).padStart(7, '0')}`
      const acc = dir.account({ phone, name: `Contact ${c}` })
      chats.push({
        jid: pnJid(acc),
        name: acc.name,
        messages: generatedMessages(c, seed.generate.messagesPerChat, t0, pnJid(acc))
      })
    }
  }
  const people = new Set<Account>()
  const conversations: proto.IConversation[] = []
  for (const chat of chats) {
    const isGroup = chat.jid.endsWith('@g.us')
    let chatJid = chat.jid
    if (!isGroup) {
      const acc = dir.resolve(chat.jid.includes('@') ? chat.jid : `${chat.jid}@s.whatsapp.net`).acc ?? dir.account({ phone: chat.jid.split('@')[0]!, name: chat.name })
      people.add(acc)
      chatJid = pnJid(acc)
    }
    const messages = (chat.messages ?? []).map((m, i): proto.IHistorySyncMsg => {
      const sender = m.from ? dir.account({ phone: m.from }) : undefined
      // a group message the account wrote itself is "from me", as the phone sends it, whoever seeded it
      const fromMe = m.fromMe ?? sender === owner
      if (sender && !fromMe) people.add(sender)
      const info: proto.IWebMessageInfo = {
        key: { remoteJid: chatJid, fromMe, id: m.id ?? hexId(), ...(isGroup && !fromMe && sender ? { participant: pnJid(sender) } : {}) },
        message: m.message ?? { conversation: m.text ?? '' },
        messageTimestamp: m.ts ?? now() - (chat.messages!.length - i) * 60,
        status: fromMe ? proto.WebMessageInfo.Status.READ : proto.WebMessageInfo.Status.DELIVERY_ACK,
        ...(sender && !fromMe ? { pushName: sender.name } : {})
      }
      return { message: info, msgOrderId: i + 1 }
    })
    const last = messages.at(-1)?.message?.messageTimestamp
    conversations.push({
      id: chatJid,
      name: isGroup ? (chat.name ?? dir.groups.get(chatJid)?.subject) : undefined,
      unreadCount: chat.unread ?? 0,
      archived: chat.archived,
      pinned: chat.pinned ? now() : undefined,
      conversationTimestamp: last ?? now(),
      messages
    })
  }
  // chunk by message count, the first chunk carrying names and identity mappings
  const size = Math.max(1, seed.chunkSize ?? 5000)
  const chunks: proto.IConversation[][] = [[]]
  let count = 0
  for (const conv of conversations) {
    let msgs = conv.messages ?? []
    do {
      const room = size - count
      const part = msgs.slice(0, room)
      msgs = msgs.slice(room)
      chunks.at(-1)!.push({ ...conv, messages: part })
      count += part.length
      if (count >= size) {
        chunks.push([])
        count = 0
      }
    } while (msgs.length)
  }
  if (chunks.length > 1 && chunks.at(-1)!.length === 0) chunks.pop()
  const out: proto.IHistorySync[] = chunks.map((convs, i) => ({
    syncType: proto.HistorySync.HistorySyncType.INITIAL_BOOTSTRAP,
    chunkOrder: i,
    progress: Math.round(((i + 1) / chunks.length) * 100),
    conversations: convs,
    ...(i === 0 ? { phoneNumberToLidMappings: [...people, owner].map((p) => ({ pnJid: pnJid(p), lidJid: lidJid(p) })) } : {})
  }))
  // the phone sends push names in a chunk of their own
  if (people.size) out.push({ syncType: proto.HistorySync.HistorySyncType.PUSH_NAME, chunkOrder: out.length, progress: 100, pushnames: [...people].map((p) => ({ id: pnJid(p), pushname: p.name })) })
  return out
}

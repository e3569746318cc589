// What the worker reads back: raw messages (recent ones from memory, any from the message store, which the
// worker opens read-only) for quotes, retries, forwards, poll votes and media downloads.
import { proto, type WAMessage } from '@whiskeysockets/baileys'
import Database from 'better-sqlite3'
import { Lru } from './lru.js'
import { plainTextMessage } from './normalize.js'

const COLUMNS = 'id, raw, type, from_me, sender_jid, push_name, ts, body'
interface Row {
  id: string
  raw: Buffer | null
  type: string
  from_me: number
  sender_jid: string | null
  push_name: string | null
  ts: number
  body: string | null
}

export class StoreReader {
  private store: Database.Database | undefined
  private readonly recent: Lru<string, WAMessage>
  private readonly chatOfId: Lru<string, string>

  constructor(private readonly path: string, messageCacheMax = 20_000, keyCacheMax = 20_000) {
    this.recent = new Lru(messageCacheMax)
    this.chatOfId = new Lru(keyCacheMax)
  }

  /** the store, read-only; undefined until the main thread has created it */
  db(): Database.Database | undefined {
    if (!this.store) {
      try {
        this.store = new Database(this.path, { readonly: true, fileMustExist: true })
      } catch {
        return undefined
      }
    }
    return this.store
  }

  rawMessage(chatJid: string, id: string): WAMessage | undefined {
    const hit = this.recent.get(`${chatJid}:${id}`)
    if (hit) return hit
    const msg = this.fromRow(chatJid, this.db()?.prepare(`SELECT ${COLUMNS} FROM messages WHERE chat_jid = ? AND id = ?`).get(chatJid, id) as Row | undefined)
    if (msg) this.remember(chatJid, msg)
    return msg
  }

  /** the chat's newest stored message: app-state changes of a chat name the range they cover by it */
  lastMessage(chatJid: string): WAMessage | undefined {
    return this.fromRow(chatJid, this.db()?.prepare(`SELECT ${COLUMNS} FROM messages WHERE chat_jid = ? ORDER BY ts DESC LIMIT 1`).get(chatJid) as Row | undefined)
  }

  /** a stored row as the message it was; a plain-text one from a history sync keeps no raw form and is rebuilt */
  private fromRow(chatJid: string, row: Row | undefined): WAMessage | undefined {
    if (row?.raw) return proto.WebMessageInfo.decode(row.raw) as WAMessage
    if (row?.type !== 'text') return undefined
    return plainTextMessage({ chatJid, id: row.id, fromMe: !!row.from_me, senderJid: row.sender_jid, pushName: row.push_name, ts: row.ts, body: row.body })
  }

  remember(chatJid: string, msg: WAMessage): void {
    if (!msg.key.id) return
    this.recent.set(`${chatJid}:${msg.key.id}`, msg)
    this.chatOfId.set(msg.key.id, chatJid)
  }

  /** the chat a recent message id belongs to, for Baileys' lookups by id alone */
  chatOf(id: string): string | undefined {
    return this.chatOfId.get(id)
  }
}

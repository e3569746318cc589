// What the worker reads back: raw messages (recent ones from memory, any from the message store, which the
// worker opens read-only) for quotes, retries, forwards, poll votes and media downloads.
import { proto, type WAMessage } from '@whiskeysockets/baileys'
import Database from 'better-sqlite3'
import { Lru } from './lru.js'

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
    const row = this.db()?.prepare('SELECT raw FROM messages WHERE chat_jid = ? AND id = ?').get(chatJid, id) as { raw: Buffer | null } | undefined
    const msg = row?.raw ? (proto.WebMessageInfo.decode(row.raw) as WAMessage) : undefined
    if (msg) this.remember(chatJid, msg)
    return msg
  }

  /** the chat's newest stored message: app-state changes of a chat name the range they cover by it */
  lastMessage(chatJid: string): WAMessage | undefined {
    const row = this.db()?.prepare('SELECT raw FROM messages WHERE chat_jid = ? AND raw IS NOT NULL ORDER BY ts DESC LIMIT 1').get(chatJid) as { raw: Buffer } | undefined
    return row ? (proto.WebMessageInfo.decode(row.raw) as WAMessage) : undefined
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

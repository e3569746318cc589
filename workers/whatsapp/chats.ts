// Chats and app state: the account's own view of its chats (archive, pin, mute, unread, clear), which
// WhatsApp keeps as app-state collections synced between the phone and every linked device. A change is
// pushed as a patch (Baileys' chatModify) and stored here at once: Baileys does not echo its own patches.
import type { ChatModification, WAMessage } from '@whiskeysockets/baileys'
import { AppError } from '../../src/errors/app-error.js'
import type { ChatRecord } from '../../src/store/batch.js'
import type { ChatChange, Written } from '../../src/wa/worker-api.js'
import type { WaHost } from './host.js'
import type { StoreReader } from './store-reader.js'

/** every app-state collection, in the order WhatsApp syncs them */
export const APP_STATE_COLLECTIONS = ['critical_block', 'critical_unblock_low', 'regular_high', 'regular_low', 'regular'] as const

export class Chats {
  constructor(private readonly host: WaHost, private readonly reader: StoreReader) {}

  /** soft recovery: forget every app-state version and fetch the collections again from scratch */
  async forceResync(): Promise<void> {
    const sock = this.host.ready()
    await sock.authState.keys.set({ 'app-state-sync-version': Object.fromEntries(APP_STATE_COLLECTIONS.map((n) => [n, null])) })
    await sock.resyncAppState(APP_STATE_COLLECTIONS, true)
  }

  /**
   * Each change given, as one app-state patch each. APP_STATE_NOT_READY before the phone shared its
   * app-state key; WA_QUERY_FAILED when WhatsApp refuses a patch.
   */
  async modify(req: { chatJid: string } & ChatChange): Promise<Written> {
    const sock = this.host.ready()
    const jid = req.chatJid
    const last = this.reader.lastMessage(jid)
    const lastMessages: Array<Pick<WAMessage, 'key' | 'messageTimestamp'>> = last ? [{ key: last.key, messageTimestamp: last.messageTimestamp }] : []
    const mods: ChatModification[] = []
    const rec: ChatRecord = { jid }
    if (req.archive !== undefined) {
      mods.push({ archive: req.archive, lastMessages })
      rec.archived = req.archive
    }
    if (req.pin !== undefined) {
      mods.push({ pin: req.pin })
      rec.pinned = req.pin
    }
    if (req.muteUntil !== undefined) {
      mods.push({ mute: req.muteUntil || null })
      rec.muteEndTime = req.muteUntil
    }
    if (req.markUnread !== undefined) {
      mods.push({ markRead: !req.markUnread, lastMessages })
      rec.markedUnread = req.markUnread
      if (!req.markUnread) rec.unreadCount = 0
    }
    if (req.clear) mods.push({ clear: true, lastMessages } as ChatModification)
    try {
      for (const mod of mods) await sock.chatModify(mod, jid)
    } catch (err) {
      this.host.log.info({ err, jid }, 'a chat change failed')
      if (/app state key not present/i.test((err as Error)?.message ?? '')) throw new AppError('APP_STATE_NOT_READY', 'The phone has not shared its app-state key yet; retry once the first sync is done.')
      throw new AppError('WA_QUERY_FAILED', `The chat change failed: ${(err as Error)?.message ?? String(err)}`)
    }
    return { seq: this.host.store({ chats: [rec], ...(req.clear ? { deletes: [{ chatJid: jid }] } : {}) }) }
  }
}

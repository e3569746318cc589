// Chats and app state: the account's own view of its chats (archive, pin, mute, unread, clear), which
// WhatsApp keeps as app-state collections synced between the phone and every linked device.
import type { WaHost } from './host.js'

/** every app-state collection, in the order WhatsApp syncs them */
export const APP_STATE_COLLECTIONS = ['critical_block', 'critical_unblock_low', 'regular_high', 'regular_low', 'regular'] as const

export class Chats {
  constructor(private readonly host: WaHost) {}

  /** soft recovery: forget every app-state version and fetch the collections again from scratch */
  async forceResync(): Promise<void> {
    const sock = this.host.ready()
    await sock.authState.keys.set({ 'app-state-sync-version': Object.fromEntries(APP_STATE_COLLECTIONS.map((n) => [n, null])) })
    await sock.resyncAppState(APP_STATE_COLLECTIONS, true)
  }
}

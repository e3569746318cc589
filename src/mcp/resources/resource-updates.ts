// Tells subscribed sessions that a resource changed: after each committed write, the chats that got an
// event map to the resources that show them, and every session subscribed to one of those hears
// notifications/resources/updated on its GET stream.
import type { SessionRegistry } from '../sessions.js'
import { sseEvent } from '../session.js'
import { CHATS_URI, INBOX_URI, chatUri } from './whatsapp.js'

export class ResourceUpdates {
  constructor(private readonly sessions: SessionRegistry) {}

  /** chats whose state or messages changed in a committed write */
  changed(chats: readonly string[]): void {
    if (!chats.length) return
    const uris = new Set([CHATS_URI, INBOX_URI, ...chats.map(chatUri)])
    for (const session of this.sessions.all()) {
      const subs = session.subscriptions
      if (!subs?.size) continue
      for (const uri of subs) if (uris.has(uri)) session.broadcast(sseEvent({ jsonrpc: '2.0', method: 'notifications/resources/updated', params: { uri } }))
    }
  }
}

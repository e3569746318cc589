// What tools and routes are given: the actors and repositories of one running server. Built in app/server.ts.
import type { ServerEvents } from '../mcp/server-events.js'
import type { Logger } from 'pino'
import type { Config } from '../config/load-config.js'
import type { Supervisor } from '../wa/supervisor.js'
import type { ChatsRepo } from '../store/chats-repo.js'
import type { MessagesRepo } from '../store/messages-repo.js'
import type { ContactsRepo } from '../store/contacts-repo.js'
import type { WriteQueue } from '../store/write-queue.js'
import type { Pool } from '../pool/pool.js'
import type { Db } from '../store/open-db.js'
import type { SendGuard } from '../wa/send-guard.js'
import type { GroupsRepo } from '../store/groups-repo.js'
import type { SettingsStore } from '../settings/settings.js'
import type { EventsRepo } from '../store/events-repo.js'
import type { EventCursors } from '../mcp/event-cursor.js'
import type { MessageWaiters } from '../mcp/message-waiters.js'
import type { Webhooks } from '../webhooks/webhooks.js'
import type { MediaLinks } from '../media/media-link.js'
import type { CredentialStore } from '../access/credentials.js'
import type { ChatPolicyStore } from '../access/chat-policy-store.js'
import type { ChatAccessCache } from '../access/chat-policy.js'
import type { BearerVerifier } from '../access/principal.js'
import type { AuditTrail } from '../audit/audit-trail.js'
// scheduler: the outbox
import type { Outbox } from '../outbox/outbox.js'
import type { Pacing } from '../pacing/pacing.js'
import type { Approvals } from '../approvals/approvals.js'

export interface Services {
  config: Config
  log: Logger
  startedAt: number
  wa: Supervisor
  db: Db
  chats: ChatsRepo
  messages: MessagesRepo
  contacts: ContactsRepo
  groups: GroupsRepo
  writes: WriteQueue
  /** the event log, its signed cursors, and the calls waiting for messages */
  events: EventsRepo
  cursors: EventCursors
  waiters: MessageWaiters
  /** search, export, thumbnails */
  pool: Pool
  /** the store's writer, alone on its thread */
  writerPool?: Pool
  sends: SendGuard
  settings: SettingsStore
  /** webhook endpoints, their delivery log and the loop that sends */
  webhooks?: Webhooks
  /** the record of every tool call that reads or changes WhatsApp data */
  audit?: AuditTrail
  /** links to files under MEDIA_DIR, signed when ADMIN_TOKEN guards /media */
  mediaLinks: MediaLinks
  /** the recovery policy's view, when it runs */
  recovery?: { snapshot(): Record<string, unknown>; history: Array<{ action: string }> }
  mediaStats?: { files: number }
  mcpSessionCount(): number
  /** waits open, waiters woken, and the latency from the worker to resource notifications */
  eventStats?(): Record<string, unknown>
  /** the dispatcher's cache of store-read answers */
  mcpCacheStats?(): { entries: number; bytes: number; hits: number; misses: number }
  /** what the server announces to listening MCP clients (resource updates, list changes) */
  serverEvents?: ServerEvents
  /** approvals: the gate sends and actions wait at for a person's decision (src/approvals) */
  approvals?: Approvals
  /** scoped credentials, the per-chat policy, and what each principal may see of the chats */
  access?: {
    credentials: CredentialStore
    policies: ChatPolicyStore
    chatAccess: ChatAccessCache
    /** further sources of bearer tokens for /mcp (OAuth access tokens), asked after the credentials */
    verifiers: BearerVerifier[]
  }
  // --- scheduler: the outbox
  /** sends stored to go out later: scheduled ones, and those the pacing limits queued */
  outbox?: Outbox
  // --- pacing: the limits on sends, their queue-or-refuse decision, typing presence (src/pacing/*)
  pacing?: Pacing
}

// Composition root: opens the store, starts the pool, the WhatsApp supervisor and the HTTP front, and
// wires the worker's event batches into the store's write queue.
import { availableParallelism } from 'node:os'
import type { Logger } from 'pino'
import type { Config } from '../config/load-config.js'
import { openWriter, openReader } from '../store/open-db.js'
import { ChatsRepo } from '../store/chats-repo.js'
import { MessagesRepo } from '../store/messages-repo.js'
import { ContactsRepo } from '../store/contacts-repo.js'
import { GroupsRepo } from '../store/groups-repo.js'
import { WriteQueue } from '../store/write-queue.js'
import { Pool } from '../pool/pool.js'
import { Supervisor } from '../wa/supervisor.js'
import { RecoveryManager } from '../wa/recovery-manager.js'
import { AutoDownloader } from '../media/auto-download.js'
import { MediaStats } from '../media/media-stats.js'
import { SessionRegistry } from '../mcp/sessions.js'
import { Dispatcher } from '../mcp/dispatcher.js'
import { TOOLS } from '../mcp/tools/index.js'
import { startHttp, type HttpFront } from '../http/app.js'
import { uwsChoice, assertUwsAvailable } from '../http/uws.js'
import { assertPortFree } from '../http/listen-failure.js'
import { watchHealth } from './health-watch.js'
import type { Services } from './services.js'
import { IdempotencyStore } from '../store/idempotency-store.js'
import { SendGuard } from '../wa/send-guard.js'
import { SettingsStore } from '../settings/settings.js'
import { MediaLinks } from '../media/media-link.js'
import { EventsRepo } from '../store/events-repo.js'
import { EventCursors } from '../mcp/event-cursor.js'
import { loadKeyFile } from '../store/key-file.js'
import { MessageWaiters } from '../mcp/message-waiters.js'
import { Webhooks } from '../webhooks/webhooks.js'
import { whatsappResources } from '../mcp/resources/whatsapp.js'
import { ClaudeChannel, CHANNEL_CAPABILITY, CHANNEL_INSTRUCTIONS, channelChats } from '../mcp/claude-channel.js'
import { ResourceUpdates } from '../mcp/resources/resource-updates.js'
import { ServerEvents } from '../mcp/server-events.js'
import { tightenDataFiles } from '../store/private-files.js'
import { accessPath, approvalsPath, auditPath, cursorKeyPath, deadLetterDir, idempotencyPath, mediaLinkKeyPath } from '../store/private-paths.js'
import { CredentialStore, parseEnvCredentials } from '../access/credentials.js'
import { ChatPolicyStore } from '../access/chat-policy-store.js'
import { ChatAccessCache } from '../access/chat-policy.js'
import { mayUse } from '../access/toolsets.js'
import { AuditLog } from '../audit/audit-log.js'
import { AuditTrail } from '../audit/audit-trail.js'
// scheduler: the outbox
import { Outbox, sendKeyOf } from '../outbox/outbox.js'
import { OutboxStore } from '../outbox/outbox-store.js'
import { outboxExecutor } from '../outbox/send-ops.js'
import { outboxPath } from '../store/private-paths.js'
import { Pacing } from '../pacing/pacing.js'
import { PaceLog, pacingPath } from '../pacing/pace-log.js'
import { withTyping } from '../pacing/pace-send.js'
import { ApprovalStore } from '../approvals/approval-store.js'
import { Approvals } from '../approvals/approvals.js'
import { OwnerChat } from '../approvals/owner-chat.js'
import { normalizeJid } from '../store/jid.js'

export interface RunningServer {
  services: Services
  http: HttpFront
  sessions: SessionRegistry
  stop(): Promise<void>
}

export async function startServer(config: Config, log: Logger, opts: { workerEnv?: Record<string, string> } = {}): Promise<RunningServer> {
  // refusals that need nothing started come first: a process that has started threads can take long to exit
  assertUwsAvailable()
  await assertPortFree(config.HOST, config.PORT)
  // before anything opens them: private folders made 0700, and what an earlier run left looser tightened
  const modes = tightenDataFiles(config)
  if (modes.tightened.length) log.warn({ paths: modes.tightened }, `tightened ${modes.tightened.length} data files and folders to 0600/0700: only this user may read them`)
  if (modes.failed.length) log.warn({ failed: modes.failed }, 'could not tighten the modes of some data files and folders')
  // the schema is created here, once, before any reader or the pool's writer opens the file
  openWriter(config.DB_PATH).close()
  const db = openReader(config.DB_PATH)
  // the store's single writer has a thread of its own, so a search over common words or a big export on
  // the work pool never holds up incoming messages
  const writerPool = new Pool(1)
  // at least two: on two cores a second thread took sixteen concurrent searches from 1.3k to 2k a second
  // (p99 22 -> 15 ms), the event loop and the clients left that much room
  const pool = new Pool(config.POOL_THREADS ?? Math.max(2, Math.min(4, availableParallelism() - 1)))
  let autoDownload: AutoDownloader | undefined
  let webhooks: Webhooks | undefined
  const waiters = new MessageWaiters()
  let resourceUpdates: ResourceUpdates | undefined
  let channel: ClaudeChannel | undefined
  let ownerChat: OwnerChat | undefined
  const events = new EventsRepo(db)
  const writes = new WriteQueue(writerPool, config.DB_PATH, log.child({ actor: 'store' }), {
    onWritten: (r, batches) => {
      autoDownload?.offer(batches)
      if (r.incoming) waiters.wake(r.incoming)
      if (r.incoming) channel?.wake(r.incoming)
      if (r.changed) ownerChat?.wake(r.changed)
      webhooks?.wake()
      if (r.changed) resourceUpdates?.changed(r.changed, Math.min(...batches.map((b) => b.emittedAt || Infinity)))
    },
    deadLetterDir: deadLetterDir(config.DATA_DIR),
    delayMs: config.STORE_WRITE_DELAY_MS,
    retention: { maxAgeMs: config.EVENT_LOG_RETENTION_DAYS * 86_400_000, maxEvents: config.EVENT_LOG_MAX_EVENTS }
  })
  if (config.WA_TRUST_ROOT_KEY) log.warn('WA_TRUST_ROOT_KEY is set: this server trusts a WhatsApp emulator instead of WhatsApp. Never set it in production.')
  const wa = new Supervisor(
    {
      worker: {
        accountId: config.ACCOUNT_ID,
        authDbPath: config.AUTH_DB_PATH,
        keySyncMs: config.WA_KEY_SYNC_MS,
        storeDbPath: config.DB_PATH,
        mediaDir: config.MEDIA_DIR,
        wsUrl: config.WA_WS_URL,
        trustRootKey: config.WA_TRUST_ROOT_KEY,
        browserName: config.WA_BROWSER_NAME,
        logLevel: config.BAILEYS_LOG_LEVEL,
        heartbeatIntervalMs: config.WA_HEARTBEAT_INTERVAL_MS,
        initializeTimeoutMs: config.WA_INITIALIZE_TIMEOUT_MS || 60_000,
        eventLog: config.WA_EVENT_LOG,
        eventStreamPath: config.WA_EVENT_STREAM ? config.WA_EVENT_STREAM_PATH : undefined,
        eventStreamMaxBytes: config.WA_EVENT_STREAM_MAX_MB * 1024 * 1024,
        messageCacheMax: config.WA_MESSAGE_INDEX_MAX,
        messageKeyCacheMax: config.WA_MESSAGE_KEY_INDEX_MAX
      },
      heartbeatTimeoutMs: config.WA_HEARTBEAT_TIMEOUT_MS,
      commits: writes.commits,
      env: opts.workerEnv
    },
    log.child({ actor: 'wa-supervisor' })
  )
  wa.on('batch', (b) => writes.push(b))
  const recovery = new RecoveryManager(
    wa,
    {
      cooldownMs: config.WA_SYNC_RECOVERY_COOLDOWN_MS,
      windowMs: config.WA_SYNC_RECOVERY_WINDOW_MS,
      softLimit: config.WA_SYNC_SOFT_RECOVERY_LIMIT,
      restartCodes: config.WA_DISCONNECT_RECOVERY_RESTART_CODES.map(Number).filter(Number.isFinite),
      restartDelayMs: config.WA_DISCONNECT_RECOVERY_DELAY_MS,
      resyncReconnect: config.WA_RESYNC_RECONNECT,
      resyncReconnectDelayMs: config.WA_RESYNC_RECONNECT_DELAY_MS
    },
    log.child({ actor: 'recovery' })
  )
  // the connection's state changes are events too (get_updates kind "connection")
  let lastState: string | undefined
  wa.on('status', (s) => {
    log.debug({ state: s.state }, 'whatsapp state')
    if (s.state === lastState) return
    lastState = s.state
    writes.push({ connection: { state: s.state, reason: s.state === 'open' ? undefined : s.lastDisconnect?.reason, at: Date.now() } })
  })
  const settings = new SettingsStore(config.SETTINGS_PATH, config)
  const mediaStats = new MediaStats(config.MEDIA_DIR)
  autoDownload = new AutoDownloader(wa, settings, config.MEDIA_DIR, config.WA_AUTO_DOWNLOAD_CONCURRENCY, config.WA_AUTO_DOWNLOAD_QUEUE_MAX, log.child({ actor: 'auto-download' }))
  // a bad MCP_CREDENTIALS stops the start here, before any thread runs (its message never repeats the value)
  const contactsForAccess = new ContactsRepo(db)
  const credentials = new CredentialStore(accessPath(config.DATA_DIR), parseEnvCredentials(config.MCP_CREDENTIALS, (j) => contactsForAccess.canonical(j) ?? j))
  const policies = new ChatPolicyStore(accessPath(config.DATA_DIR))
  const idempotency = new IdempotencyStore(idempotencyPath(config.DATA_DIR), config.WA_IDEMPOTENCY_TTL_MS)
  const cursors = new EventCursors(loadKeyFile(cursorKeyPath(config.DATA_DIR)), events.storeId())
  webhooks = new Webhooks({ config, settings, events, cursors, canonicalChat: (c) => services.contacts.canonical(c) ?? null, log: log.child({ actor: 'webhooks' }) })
  const auditLog = new AuditLog(auditPath(config.DATA_DIR), { flushMs: config.AUDIT_FLUSH_MS, retentionDays: config.AUDIT_RETENTION_DAYS, onError: (err) => log.error({ err }, 'audit records could not be written') })
  const audit = new AuditTrail(auditLog, () => settings.current().audit_bodies, (c) => services.contacts.canonical(c) ?? undefined)
  let sessions!: SessionRegistry
  // what 2026 listen streams hear (resource updates); the 2025 sessions are told by ResourceUpdates
  const serverEvents = new ServerEvents()
  const services: Services = {
    config,
    log,
    startedAt: Date.now(),
    wa,
    db,
    chats: new ChatsRepo(db),
    messages: new MessagesRepo(db),
    contacts: new ContactsRepo(db),
    groups: new GroupsRepo(db),
    writes,
    events,
    cursors,
    waiters,
    pool,
    writerPool,
    sends: new SendGuard(idempotency, () => settings.current().send_dedup_window_ms),
    settings,
    webhooks,
    audit,
    // links are signed only when /media needs auth; the key stays valid across restarts
    mediaLinks: new MediaLinks({ baseUrl: () => settings.current().media_public_base_url, key: config.ADMIN_TOKEN ? loadKeyFile(mediaLinkKeyPath(config.SESSION_DIR)) : undefined, ttlMs: config.MEDIA_LINK_TTL_MS }),
    recovery,
    mediaStats,
    mcpSessionCount: () => sessions.size,
    serverEvents,
    access: { credentials, policies, chatAccess: new ChatAccessCache(() => policies.snapshot()), verifiers: [] },
    eventStats: () => ({ waiters: waiters.size, waiters_woken: waiters.woken, notify_latency: resourceUpdates?.latency() })
  }
  // --- pacing: the sends of the last 24 h from its own file; the warm-up counts from the first link seen
  const chatHasMessages = db.prepare('SELECT 1 FROM messages WHERE chat_jid = ? LIMIT 1').pluck()
  const pacing = new Pacing({ settings: () => settings.current(), log: new PaceLog(pacingPath(config.DATA_DIR)), hasMessages: (jid) => chatHasMessages.get(jid) !== undefined, presence: (state, chatJid) => wa.call('sendPresence', { state, chatJid }) })
  services.pacing = pacing
  services.sends.onSettled = (r, at, sent) => {
    const chat = (r as { chatJid?: unknown } | null)?.chatJid
    if (typeof chat === 'string') pacing.record(chat, at, sent)
  }
  wa.on('status', (st) => {
    if (st.linked && st.me?.jid) pacing.linked(st.me.jid)
  })
  // approvals: the store (pending requests of a previous run are marked expired here) and the gate
  const approvalStore = new ApprovalStore(approvalsPath(config.DATA_DIR))
  services.approvals = new Approvals({ store: approvalStore, settings: () => settings.current(), chatPolicy: (j) => policies.get(j), chatName: (j) => services.chats.get(j)?.name ?? undefined, audit, log: log.child({ actor: 'approvals' }) })
  // ownerchat: the owner's own WhatsApp chat as a third way to decide (approval_owner_chat); its prompts go
  // straight to the worker, past the gate and pacing, and the sends of this server's own are watched so
  // none is ever read as the owner's answer
  ownerChat = new OwnerChat({
    approvals: services.approvals,
    enabled: () => settings.current().approval_owner_chat,
    me: () => {
      const me = wa.getStatus().me
      return me?.jid ? { jid: normalizeJid(me.jid), ...(me.lid ? { lid: normalizeJid(me.lid) } : {}) } : undefined
    },
    send: async (to, text, messageId) => {
      await wa.waitReady(config.WA_SEND_READY_WAIT_MS)
      await wa.write('sendText', { to, text, messageId })
    },
    events,
    quoted: (chat, id) => {
      const quotedId = services.messages.get(id, chat)?.quoted_id
      const q = quotedId ? services.messages.get(quotedId, chat) : undefined
      return quotedId ? { id: quotedId, body: q?.body, timestamp: q?.timestamp } : undefined
    },
    log: log.child({ actor: 'owner-chat' })
  })
  wa.on('sending', (s) => ownerChat?.sending(s.to, s.result, s.messageId))
  sessions = new SessionRegistry({ ttlMs: config.MCP_SESSION_TTL_MS, max: config.MCP_MAX_SESSIONS, maxBytes: config.MCP_SESSIONS_MAX_MB * 1024 * 1024 }, log.child({ actor: 'mcp' }))
  if (config.MCP_CONFORMANCE_FIXTURES) log.warn('MCP_CONFORMANCE_FIXTURES is on: the conformance suite\'s test tools, resources and prompts are published. Never in production.')
  // test-only fixtures load only when asked for: the production image leaves them out
  const fixtures = config.MCP_CONFORMANCE_FIXTURES ? (await import('../mcp/conformance-fixtures.js')).conformanceFixtures(TOOLS) : { tools: TOOLS }
  const ours = whatsappResources(services)
  const channelChatList = channelChats(config.CLAUDE_CHANNEL_CHATS)
  // a session hears a chat's messages only when its credential may read that chat
  if (channelChatList) channel = new ClaudeChannel(channelChatList, { events, messages: services.messages, chatName: (jid) => services.chats.get(jid)?.name ?? null }, sessions, (p, chat) => mayUse(p, 'read') && dispatcher.chatAccess(p).sees(chat))
  const dispatcher = new Dispatcher(services, {
    ...fixtures,
    resources: [...ours.resources, ...(fixtures.resources ?? [])],
    templates: [...ours.templates, ...(fixtures.templates ?? [])],
    ...(channel ? { experimental: { [CHANNEL_CAPABILITY]: {} }, instructions: CHANNEL_INSTRUCTIONS } : {})
  }, audit)
  resourceUpdates = new ResourceUpdates(sessions, serverEvents, (p, chat) => dispatcher.chatAccess(p).sees(chat))
  services.mcpCacheStats = () => dispatcher.cache.stats()
  // --- scheduler: the outbox fires its due sends once WhatsApp is open; what fell due while down goes at start
  const outboxStore = new OutboxStore(outboxPath(config.DATA_DIR))
  const outbox = new Outbox({
    store: outboxStore,
    execute: withTyping(pacing, outboxExecutor(services)),
    ready: () => wa.getStatus().state === 'open',
    onReady: (fn) => {
      const on = (st: { state: string }): void => void (st.state === 'open' && fn())
      wa.on('status', on)
      return () => void wa.off('status', on)
    },
    pacing: () => services.pacing,
    missedAfterMs: () => settings.current().schedule_missed_after_s * 1000,
    sendStarted: (e) => idempotency.get(sendKeyOf(e.id)) !== undefined,
    onSettled: (e, o) => {
      try {
        audit.recordEvent(`outbox.${o.status}`, { name: e.principalId, kind: 'outbox' }, { id: e.id, kind: e.kind, tool: e.operation, chat_jid: e.chatJid, ...(o.messageId ? { message_id: o.messageId } : {}), ...(o.code ? { code: o.code } : {}), due_at: e.dueAt })
      } catch (err) {
        log.error({ err }, 'an outbox record could not be written to the audit trail')
      }
    },
    log: log.child({ actor: 'outbox' })
  })
  services.outbox = outbox
  const http = await startHttp(services, sessions, dispatcher)
  const url = `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${http.port}`
  log[http.native ? 'info' : 'warn'](
    { port: http.port, host: config.HOST, uws: uwsChoice.name, uws_skipped: uwsChoice.skipped, admin: `${url}/admin`, mcp: `${url}/mcp` },
    `listening on ${url}: admin UI ${url}/admin, MCP ${url}/mcp (uWebSockets.js: ${uwsChoice.name})`
  )
  if (!http.native) log.warn('UWS_ALLOW_FALLBACK=1: serving on the node:http fallback, several times slower than the native uWebSockets.js binary')
  const stopHealthWatch = watchHealth(wa, config, log.child({ actor: 'health' }))
  if (config.exposed && !config.MCP_AUTH_TOKEN.length) log.warn(`HOST ${config.HOST} is reachable from other machines and MCP_AUTH_TOKEN is not set: anyone who can reach this port can read and send this account's WhatsApp messages.`)
  if (config.exposed && !config.httpHosts.length) log.info(`HOST ${config.HOST} is reachable from other machines: requests by IP address are answered, requests by a host name only for the names in ALLOWED_HOSTS (DNS-rebinding protection).`)
  if (config.exposed && !config.ADMIN_TOKEN) log.warn(`HOST ${config.HOST} is reachable from other machines and ADMIN_TOKEN is not set: the admin UI and /api are open.`)
  webhooks.start()
  await wa.start()
  outbox.start()

  return {
    services,
    http,
    sessions,
    async stop() {
      stopHealthWatch()
      http.close()
      sessions.closeAll()
      recovery.stop()
      outbox.stop()
      mediaStats.stop()
      await wa.stop()
      await writes.idle()
      webhooks?.stop()
      await writerPool.close()
      await pool.close()
      db.close()
      idempotency.close()
      credentials.close()
      policies.close()
      ownerChat?.close()
      services.approvals?.close()
      approvalStore.close()
      auditLog.close()
      outboxStore.close()
      pacing.close()
    }
  }
}

// One Baileys socket and its lifecycle: connect, QR, 515 restart, reconnect with backoff, logout (401)
// clears auth only, replaced (440) stops. Events leave as normalized batches on the events port.
import { createWriteStream } from 'node:fs'
import { mkdir, rename, stat } from 'node:fs/promises'
import { pipeline } from 'node:stream/promises'
import { join } from 'node:path'
import pino, { type Logger } from 'pino'
import makeWASocket, {
  Browsers,
  DisconnectReason,
  WA_CERT_DETAILS,
  PROCESSABLE_HISTORY_TYPES,
  downloadMediaMessage,
  getHistoryMsg,
  jidNormalizedUser,
  makeCacheableSignalKeyStore,
  proto,
  type WASocket,
  type WAMessage,
  type AnyMessageContent,
  type Chat,
  type GroupMetadata
} from '@whiskeysockets/baileys'
import Database from 'better-sqlite3'
import { AppError } from '../../src/errors/app-error.js'
import type { StoreBatch, ChatRecord, GroupRecord, ContactRecord, PollVoteRecord } from '../../src/store/batch.js'
import type { Written, WaWorkerOptions, WaStatus, WaWorkerEvent, SendTextRequest, SendMediaRequest, SendResult, DownloadMediaRequest, DownloadMediaResult, WaConnectionState } from '../../src/wa/worker-api.js'
import { openAuthStore, type AuthStore } from './auth-store.js'
import { deviceCache } from './device-cache.js'
import { encodeBatch, splitBatch, MAX_MESSAGES_PER_BATCH } from '../../src/store/batch-codec.js'
import { BatchCoalescer, withoutNameEchoes } from '../../src/store/batch-merge.js'
import { chatRecord, contactRecord, groupRecord, historyToBatch, messageRecord, participantsChange, plainTextMessage, upsertToBatch, type Me } from './normalize.js'
import { classifyBaileysLog } from './log-signals.js'
import { LOG_FORMAT, secretSafe } from '../../src/log/logger.js'
import { EventStream } from './event-stream.js'
import { Lru } from './lru.js'
import { decodeVote } from './poll-votes.js'
import { AckGate } from './ack-gate.js'
import { MessageActions } from './message-actions.js'

/** how long a live store batch waits for others to travel with it */
const COALESCE_MS = 5
/** how long a clean stop waits for held acknowledgements (the supervisor gives stop() 2 s) */
const STOP_DRAIN_MS = 1500

const statusCodeOf = (err: unknown): number | undefined => (err as { output?: { statusCode?: number } } | undefined)?.output?.statusCode

/** the records of an upsert and an update event, in that order, without the entries that make none */
function recordsOf<T, R>(upserts: readonly T[] | undefined, updates: readonly T[] | undefined, toRecord: (x: T) => R | undefined): R[] {
  const out: R[] = []
  for (const list of [upserts, updates]) {
    if (!list) continue
    for (const x of list) {
      const r = toRecord(x)
      if (r) out.push(r)
    }
  }
  return out
}

const liveChatRecord = (c: Partial<Chat>): ChatRecord | undefined => chatRecord(c, true)

export class Session {
  private sock: WASocket | undefined
  private auth: AuthStore
  private status: WaStatus = { state: 'starting', linked: false }
  private reconnectTimer: NodeJS.Timeout | undefined
  private attempts = 0
  private stopped = false
  private store: Database.Database | undefined
  private readonly baileysLog: Logger
  private readonly eventStream: EventStream | undefined
  // the normalized own JIDs, made again only when the creds change
  private meOf?: { id?: string; lid?: string; me: Me }
  private readonly recent: Lru<string, WAMessage>
  private readonly chatOfId: Lru<string, string>
  private readonly coalescer = new BatchCoalescer(MAX_MESSAGES_PER_BATCH)
  private pendingTimer: NodeJS.Timeout | undefined
  /** the number of the last store batch emitted; the main thread reports commits by it (see committed()) */
  private emittedSeq = 0
  /** what was taken in while its records still wait in the coalescer: it travels in the next batch emitted */
  private awaitingSeq: string[] = []
  /** history notifications Baileys is downloading, in order: the next history set carries them */
  private historyInFlight: string[] = []
  /** how many entries creds.processedHistoryMessages had when last seen */
  private historyKnown = 0
  private readonly gate: AckGate
  /** reactions, edits, deletes, forwards, locations, contacts, polls, read receipts, presence, number checks */
  readonly actions = new MessageActions({
    ready: () => this.ready(),
    rawMessage: (chat, id) => this.rawMessage(chat, id),
    sent: (m) => this.sent(m),
    store: (b) => {
      this.batch(b, true)
      return this.emittedSeq
    }
  })

  constructor(private readonly opts: WaWorkerOptions, private readonly emit: (e: WaWorkerEvent) => void, private readonly log: Logger) {
    if (opts.trustRootKey) WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(opts.trustRootKey, 'base64')
    this.recent = new Lru(opts.messageCacheMax ?? 20_000)
    this.chatOfId = new Lru(opts.messageKeyCacheMax ?? 20_000)
    this.eventStream = opts.eventStreamPath ? new EventStream(opts.eventStreamPath, opts.eventStreamMaxBytes ?? 50 * 1024 * 1024) : undefined
    // the session on disk never runs ahead of the message store (see openAuthStore's busy)
    this.auth = openAuthStore(opts.authDbPath, (pairs) => this.batch({ lidMappings: pairs }), opts.keySyncMs, () => this.gate?.holding ?? false)
    this.status.linked = !!this.auth.creds.me
    this.gate = new AckGate(
      {
        flushEvents: () => {
          this.sock?.ev.flush()
          this.flushBatches()
        },
        emittedSeq: () => this.emittedSeq,
        stuck: () => this.sock?.end(new Error('an acknowledgement waited too long for the store'))
      },
      log
    )
    // Baileys reports app-state corruption only in its logs: read them as structured recovery signals
    this.baileysLog = pino(
      secretSafe({
        level: opts.logLevel,
        ...LOG_FORMAT,
        base: { thread: 'wa-worker', actor: 'baileys' },
        hooks: {
          logMethod(args, method) {
            const signal = classifyBaileysLog(args)
            if (signal) emit({ type: 'signal', signal })
            return method.apply(this, args)
          }
        }
      }),
      pino.destination({ fd: 1, sync: false })
    )
  }

  /**
   * To the store. Live events arriving within COALESCE_MS of each other travel as one batch (see
   * batch-merge.ts); `now` sends at once, for what the caller will read back right away.
   */
  private batch(b: StoreBatch, now = false): void {
    const ready = this.coalescer.add(b)
    for (const r of ready) this.emitBatch(r)
    // any batch emitted here drained what waited before, with the records awaitingSeq names
    if (ready.length) this.settleAwaiting()
    if (now) this.flushBatches()
    else if (this.coalescer.waiting) this.pendingTimer ??= setTimeout(() => this.flushBatches(), COALESCE_MS)
  }

  private flushBatches(): void {
    clearTimeout(this.pendingTimer)
    this.pendingTimer = undefined
    for (const b of this.coalescer.drain()) this.emitBatch(b)
    this.settleAwaiting()
  }

  private emitBatch(b: StoreBatch): void {
    for (const part of splitBatch(b)) {
      const encoded = encodeBatch(part, ++this.emittedSeq)
      this.emit({ type: 'batch', batch: encoded })
    }
  }

  /** records that what `key` names (a message id, `hist:<id>`) was just handed to batch() */
  private tookIn(key: string): void {
    if (this.coalescer.waiting) this.awaitingSeq.push(key)
    else this.gate.saw(key, this.emittedSeq)
  }

  private settleAwaiting(): void {
    if (!this.awaitingSeq.length) return
    for (const k of this.awaitingSeq) this.gate.saw(k, this.emittedSeq)
    this.awaitingSeq = []
  }

  /** the main thread committed every batch up to `seq`: acknowledgements waiting on them may leave */
  committed(seq: number): void {
    this.gate.committed(seq)
  }

  private setState(state: WaConnectionState, extra: Partial<WaStatus> = {}): void {
    this.status = { ...this.status, ...extra, state, linked: !!this.auth.creds.me }
    if (state !== 'awaiting-qr') delete this.status.qr
    this.emit({ type: 'status', status: this.status })
  }

  getStatus(): WaStatus {
    return this.status
  }

  private me(): Me {
    const me = this.auth.creds.me
    const known = this.meOf
    if (known && known.id === me?.id && known.lid === me?.lid) return known.me
    this.meOf = { id: me?.id, lid: me?.lid, me: { jid: me?.id ? jidNormalizedUser(me.id) : undefined, lid: me?.lid ? jidNormalizedUser(me.lid) : undefined } }
    return this.meOf.me
  }

  private storeDb(): Database.Database | undefined {
    if (!this.store) {
      try {
        this.store = new Database(this.opts.storeDbPath, { readonly: true, fileMustExist: true })
      } catch {
        return undefined
      }
    }
    return this.store
  }

  /** the raw message, for quoting, retries and media download: recent ones from memory, any from the store */
  rawMessage(chatJid: string, id: string): WAMessage | undefined {
    const hit = this.recent.get(`${chatJid}:${id}`)
    if (hit) return hit
    const row = this.storeDb()?.prepare('SELECT raw, type, from_me, sender_jid, push_name, ts, body FROM messages WHERE chat_jid = ? AND id = ?').get(chatJid, id) as
      | { raw: Buffer | null; type: string; from_me: number; sender_jid: string | null; push_name: string | null; ts: number; body: string | null }
      | undefined
    const msg = row?.raw
      ? (proto.WebMessageInfo.decode(row.raw) as WAMessage)
      : row?.type === 'text'
        ? plainTextMessage({ chatJid, id, fromMe: !!row.from_me, senderJid: row.sender_jid, pushName: row.push_name, ts: row.ts, body: row.body })
        : undefined
    if (msg) this.remember(chatJid, msg)
    return msg
  }

  private remember(chatJid: string, msg: WAMessage): void {
    if (!msg.key.id) return
    this.recent.set(`${chatJid}:${msg.key.id}`, msg)
    this.chatOfId.set(msg.key.id, chatJid)
  }

  private storedGroup(jid: string): GroupMetadata | undefined {
    const db = this.storeDb()
    const g = db?.prepare('SELECT jid, subject, owner, creation, description, announce, restrict_info FROM groups WHERE jid = ? AND left_group = 0').get(jid) as
      | { jid: string; subject: string | null; owner: string | null; creation: number | null; description: string | null; announce: number | null; restrict_info: number | null }
      | undefined
    if (!g) return undefined
    const parts = db!.prepare(`SELECT p.jid, p.admin, c.lid FROM group_participants p LEFT JOIN contacts c ON c.jid = p.jid WHERE p.group_jid = ?`).all(jid) as Array<{ jid: string; admin: string | null; lid: string | null }>
    if (!parts.length) return undefined
    return {
      id: g.jid,
      subject: g.subject ?? '',
      owner: g.owner ?? undefined,
      creation: g.creation ? Math.floor(g.creation / 1000) : undefined,
      desc: g.description ?? undefined,
      announce: g.announce === null ? undefined : !!g.announce,
      restrict: g.restrict_info === null ? undefined : !!g.restrict_info,
      participants: parts.map((p) => ({ id: p.lid ?? p.jid, ...(p.lid ? { phoneNumber: p.jid } : {}), admin: (p.admin as 'admin' | 'superadmin' | null) ?? null }))
    } as GroupMetadata
  }

  private pollVote(m: WAMessage, me: Me): PollVoteRecord | undefined {
    const update = m.message?.pollUpdateMessage
    const pollKey = update?.pollCreationMessageKey
    if (!update || !pollKey?.id || !m.key.remoteJid) return undefined
    const chat = jidNormalizedUser(m.key.remoteJid)
    const poll = this.rawMessage(chat, pollKey.id)
    if (!poll) return undefined
    const forms = (...jids: Array<string | null | undefined>) => [...new Set(jids.filter((j): j is string => !!j).map((j) => jidNormalizedUser(j)))]
    const creatorJids = poll.key.fromMe ? forms(me.jid, me.lid) : forms(poll.key.participant, (poll.key as { participantAlt?: string }).participantAlt, chat.endsWith('@g.us') ? undefined : chat, (poll.key as { remoteJidAlt?: string }).remoteJidAlt)
    const voterJids = m.key.fromMe ? forms(me.jid, me.lid) : forms(m.key.participant, (m.key as { participantAlt?: string }).participantAlt, chat.endsWith('@g.us') ? undefined : chat, (m.key as { remoteJidAlt?: string }).remoteJidAlt)
    return decodeVote(m, { poll, creatorJids, voterJids })
  }

  start(): void {
    this.stopped = false
    this.connect()
  }

  private connect(): void {
    clearTimeout(this.reconnectTimer)
    this.setState(this.auth.creds.me ? 'connecting' : 'connecting')
    const sock = makeWASocket({
      auth: { creds: this.auth.creds, keys: makeCacheableSignalKeyStore(this.auth.keys, this.baileysLog) },
      // contacts' device lists outlive a restart, so the first send after one keeps the sessions it has
      userDevicesCache: deviceCache(this.auth.keys),
      ...(this.opts.wsUrl ? { waWebSocketUrl: this.opts.wsUrl } : {}),
      logger: this.gate.socketLogger(this.baileysLog),
      browser: Browsers.ubuntu(this.opts.browserName),
      markOnlineOnConnect: false,
      // what we send is stored by sent() as Baileys returns it; Baileys' echo of it went through its event
      // buffer, which under a steady send load never emptied and scanned every buffered upsert on each new
      // one (about 7% of the worker's busy time at 600 sends a second), and then wrote the message a second time
      emitOwnEvents: false,
      syncFullHistory: false,
      shouldSyncHistoryMessage: () => true,
      // group sends need participants; the store has them, so Baileys does not ask WhatsApp every time
      cachedGroupMetadata: async (jid) => this.storedGroup(jid),
      getMessage: async (key) => {
        if (!key.id) return undefined
        const chat = key.remoteJid ? jidNormalizedUser(key.remoteJid) : this.chatOfId.get(key.id)
        return chat ? (this.rawMessage(chat, key.id)?.message ?? undefined) : undefined
      },
      connectTimeoutMs: this.opts.initializeTimeoutMs
    })
    this.sock = sock
    this.historyKnown = this.auth.creds.processedHistoryMessages?.length ?? 0
    this.historyInFlight = []
    this.gate.attach(sock.ws as unknown as Parameters<AckGate['attach']>[0])
    sock.ev.process(async (events) => {
      if (sock !== this.sock) return
      if (this.opts.eventLog) this.log.info({ events: Object.fromEntries(Object.entries(events).map(([k, v]) => [k, Array.isArray(v) ? v.length : 1])) }, 'baileys events')
      this.eventStream?.write(events as Record<string, unknown>)
      if (events['creds.update']) {
        this.auth.saveCreds()
        const processed = events['creds.update'].processedHistoryMessages
        if (processed) this.historyStarted(sock, processed.map((p) => p.key.id).filter((id): id is string => !!id))
      }
      const u = events['connection.update']
      if (u) this.onConnectionUpdate(sock, u)
      const me = this.me()
      if (events['messaging-history.set']) {
        const h = events['messaging-history.set']
        const b = historyToBatch(h, me)
        this.batch(b)
        // the chunks of every notification whose download began before this set are in it (historyStarted)
        for (const id of this.historyInFlight.splice(0)) this.tookIn(`hist:${id}`)
        this.status.history = { syncType: b.historySync!.syncType, progress: h.progress ?? undefined, messages: (this.status.history?.messages ?? 0) + h.messages.length, chats: (this.status.history?.chats ?? 0) + h.chats.length, at: Date.now() }
        this.emit({ type: 'status', status: this.status })
      }
      let upserted: StoreBatch | undefined
      if (events['messages.upsert']) {
        for (const m of events['messages.upsert'].messages) if (m.key.remoteJid) this.remember(jidNormalizedUser(m.key.remoteJid), m)
        upserted = upsertToBatch(events['messages.upsert'].messages, events['messages.upsert'].type, me)
        this.batch(upserted)
        for (const m of events['messages.upsert'].messages) {
          if (!m.key.id) continue
          this.tookIn(m.key.id)
          this.historyWithoutCreds(m)
        }
        const votes = events['messages.upsert'].messages.map((m) => this.pollVote(m, me)).filter((v) => !!v)
        if (votes.length) this.batch({ pollVotes: votes })
      }
      if (events['messages.update']) {
        const updates = events['messages.update']
          .filter((x) => x.key.remoteJid && x.key.id && x.update.status)
          .map((x) => ({ chatJid: jidNormalizedUser(x.key.remoteJid!), id: x.key.id!, status: x.update.status ?? undefined }))
        if (updates.length) this.batch({ messageUpdates: updates })
      }
      if (events['messages.reaction']) {
        const reactions = events['messages.reaction'].flatMap((r) => {
          const chatJid = r.key.remoteJid ? jidNormalizedUser(r.key.remoteJid) : undefined
          const rk = r.reaction.key
          // the reaction's own key names its author; in a 1:1 chat that is the chat unless it is us
          const sender = rk?.fromMe ? me.jid : (rk?.participant ?? (chatJid?.endsWith('@g.us') ? undefined : chatJid))
          if (!chatJid || !r.key.id || !sender) return []
          return [{ chatJid, messageId: r.key.id, senderJid: jidNormalizedUser(sender), emoji: r.reaction.text ?? '', timestamp: Number(r.reaction.senderTimestampMs ?? Date.now()) }]
        })
        if (reactions.length) this.batch({ reactions })
      }
      if (events['message-receipt.update']) {
        this.batch({
          receipts: events['message-receipt.update'].map((r) => ({
            chatJid: jidNormalizedUser(r.key.remoteJid!),
            messageId: r.key.id!,
            userJid: jidNormalizedUser(r.receipt.userJid!),
            type: r.receipt.playedTimestamp ? 'played' : r.receipt.readTimestamp ? 'read' : 'delivered',
            timestamp: Number(r.receipt.readTimestamp ?? r.receipt.receiptTimestamp ?? Date.now() / 1000) * 1000
          }))
        })
      }
      const chats = recordsOf(events['chats.upsert'], events['chats.update'], liveChatRecord)
      const contacts = withoutNameEchoes(recordsOf(events['contacts.upsert'], events['contacts.update'], contactRecord), upserted?.messages ?? [])
      const groups = recordsOf(events['groups.upsert'], events['groups.update'], groupRecord)
      if (chats.length || contacts.length || groups.length) this.batch({ chats, contacts, groups })
      if (events['group-participants.update']) this.batch({ participants: [participantsChange(events['group-participants.update'])] })
      if (events['lid-mapping.update']) this.batch({ lidMappings: [events['lid-mapping.update']] })
      if (events['messages.delete']) {
        const d = events['messages.delete']
        this.batch({ deletes: 'keys' in d ? d.keys.map((k) => ({ chatJid: jidNormalizedUser(k.remoteJid!), ids: [k.id!] })) : [{ chatJid: jidNormalizedUser(d.jid) }] })
      }
    })
  }

  /**
   * Baileys adds a history notification to `creds.processedHistoryMessages` just before it downloads the
   * chunk, and emits the chunk as one history set when done; it handles notifications one at a time. So
   * once Baileys' event buffer is emptied of what came before, the next history set carries exactly the
   * notifications registered here, and their `hist_sync` receipts may leave when it is committed.
   */
  private historyStarted(sock: WASocket, ids: string[]): void {
    // a chunk WhatsApp delivers again is appended once more: the new entries are the list's tail
    const fresh = ids.slice(this.historyKnown)
    this.historyKnown = ids.length
    if (!fresh.length) return
    queueMicrotask(() => {
      if (sock !== this.sock) return
      sock.ev.flush()
      this.historyInFlight.push(...fresh)
    })
  }

  /**
   * The notifications Baileys does not list in the creds: an on-demand chunk is still downloaded and comes
   * as the next history set; a type Baileys does not process brings nothing to store, so its hist_sync
   * receipt may go with the notification itself.
   */
  private historyWithoutCreds(m: WAMessage): void {
    const h = m.message ? getHistoryMsg(m.message) : undefined
    if (!h || !m.key.id) return
    const type = Number(h.syncType ?? 0)
    if (!(PROCESSABLE_HISTORY_TYPES as readonly number[]).includes(type)) this.tookIn(`hist:${m.key.id}`)
    else if (type === Number(proto.HistorySync.HistorySyncType.ON_DEMAND)) this.historyInFlight.push(m.key.id)
  }

  private onConnectionUpdate(sock: WASocket, u: Partial<import('@whiskeysockets/baileys').ConnectionState>): void {
    if (u.qr) this.setState('awaiting-qr', { qr: { value: u.qr, issuedAt: Date.now() } })
    if (u.connection === 'connecting' && !u.qr) this.setState(this.status.state === 'awaiting-qr' ? 'awaiting-qr' : 'connecting')
    if (u.connection === 'open') {
      this.attempts = 0
      const me = this.me()
      this.setState('open', { me: { jid: me.jid!, lid: me.lid, name: sock.user?.name ?? this.auth.creds.me?.name, deviceJid: this.auth.creds.me?.id }, connectedAt: Date.now() })
      this.emit({ type: 'signal', signal: { kind: 'open', at: Date.now() } })
      this.log.info({ me: me.jid }, 'whatsapp connection open')
      // every group with its participants, so audits and group sends never depend on an earlier lookup
      void sock
        .groupFetchAllParticipating()
        .then((all) => this.batch({ groups: Object.values(all).map((g) => groupRecord(g)!).filter(Boolean) }))
        .catch((err: unknown) => this.log.debug({ err }, 'fetching the groups after connecting failed'))
    }
    if (u.connection === 'close') {
      const code = statusCodeOf(u.lastDisconnect?.error)
      const reason = (u.lastDisconnect?.error as Error | undefined)?.message ?? 'closed'
      const lastDisconnect = { code, reason, at: Date.now() }
      this.emit({ type: 'signal', signal: { kind: 'closed', code, reason, at: Date.now() } })
      this.log.info({ code, reason }, 'whatsapp connection closed')
      if (this.stopped) return this.setState('stopped', { lastDisconnect })
      if (code === DisconnectReason.restartRequired) {
        this.setState('linking', { lastDisconnect })
        return this.connect()
      }
      if (code === DisconnectReason.loggedOut) {
        // the phone removed this device: forget the keys, keep every message, offer a new QR
        this.auth.clear()
        this.setState('logged-out', { lastDisconnect, me: undefined })
        return this.connect()
      }
      if (code === DisconnectReason.connectionReplaced) return this.setState('replaced', { lastDisconnect })
      this.attempts++
      const delay = Math.min(30_000, 500 * 2 ** Math.min(this.attempts - 1, 6))
      this.setState('reconnecting', { lastDisconnect })
      this.reconnectTimer = setTimeout(() => this.connect(), delay)
    }
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.flushBatches()
    // what the store commits now may still be acknowledged, so WhatsApp need not deliver it again
    await this.gate.drained(STOP_DRAIN_MS)
    this.auth.sync()
    clearTimeout(this.reconnectTimer)
    this.sock?.end(undefined)
    this.setState('stopped')
  }

  private ready(): WASocket {
    if (!this.auth.creds.me) throw new AppError('WA_NOT_LINKED')
    if (this.status.state !== 'open' || !this.sock) throw new AppError('WA_NOT_READY', `WhatsApp is ${this.status.state}; retry shortly.`, { state: this.status.state })
    return this.sock
  }

  async logout(): Promise<void> {
    const sock = this.sock
    if (this.auth.creds.me && sock && this.status.state === 'open') {
      try {
        await sock.logout()
      } catch (err) {
        this.log.warn({ err }, 'logout on WhatsApp failed; clearing local auth anyway')
      }
    } else sock?.end(undefined)
    this.auth.clear()
    this.setState('logged-out', { me: undefined })
    this.connect()
  }

  /** soft recovery: forget every app-state version and fetch the collections again from scratch */
  async forceResync(): Promise<void> {
    const sock = this.ready()
    const names = ['critical_block', 'critical_unblock_low', 'regular_high', 'regular_low', 'regular'] as const
    await sock.authState.keys.set({ 'app-state-sync-version': Object.fromEntries(names.map((n) => [n, null])) })
    await sock.resyncAppState(names, true)
  }

  async reconnect(): Promise<void> {
    if (this.stopped || !this.sock) return
    const old = this.sock
    this.sock = undefined
    old.end(undefined)
    this.connect()
  }

  private async sent(msg: WAMessage | undefined): Promise<SendResult> {
    if (!msg?.key.id || !msg.key.remoteJid) throw new AppError('WA_SEND_FAILED', 'WhatsApp did not accept the message.')
    // Baileys returns once the gate took the frame; behind a held receipt it has not left yet, and a
    // send reported before it leaves is lost to a crash (the crash harness found such sends)
    await this.gate.written().catch(() => {
      throw new AppError('WA_SEND_FAILED', 'The connection closed before the message left; a retry with the same idempotency_key sends it once.')
    })
    // stored at once, not only when Baileys echoes it: the read tools must see what the account sent
    const rec = messageRecord(msg, this.me(), false)
    this.remember(jidNormalizedUser(msg.key.remoteJid), msg)
    if (rec) this.batch({ messages: [rec], chats: [{ jid: rec.chatJid, lastMessageAt: rec.timestamp, unreadCount: 0 }] }, true)
    return { chatJid: jidNormalizedUser(msg.key.remoteJid), id: msg.key.id, timestamp: rec?.timestamp ?? Date.now(), seq: this.emittedSeq }
  }

  private quoted(to: string, id: string | undefined): WAMessage | undefined {
    if (!id) return undefined
    const q = this.rawMessage(to, id)
    if (!q) throw new AppError('MESSAGE_NOT_FOUND', `No stored message ${id} in ${to} to reply to.`)
    return q
  }

  async sendText(req: SendTextRequest): Promise<SendResult> {
    const sock = this.ready()
    const content: AnyMessageContent = { text: req.text, ...(req.mentions?.length ? { mentions: req.mentions } : {}) }
    try {
      return await this.sent(await sock.sendMessage(req.to, content, { quoted: this.quoted(req.to, req.quotedMessageId), ...(req.messageId ? { messageId: req.messageId } : {}) }))
    } catch (err) {
      if (err instanceof AppError) throw err
      throw new AppError('WA_SEND_FAILED', `Sending failed: ${(err as Error).message}`)
    }
  }

  async sendMedia(req: SendMediaRequest): Promise<SendResult> {
    const sock = this.ready()
    const media = { url: req.path }
    const content: AnyMessageContent =
      req.kind === 'image'
        ? { image: media, caption: req.caption, mimetype: req.mimetype }
        : req.kind === 'video'
          ? { video: media, caption: req.caption, mimetype: req.mimetype }
          : req.kind === 'audio' || req.kind === 'voice'
            ? { audio: media, mimetype: req.kind === 'voice' ? 'audio/ogg; codecs=opus' : req.mimetype, ptt: req.kind === 'voice' }
            : req.kind === 'sticker'
              ? { sticker: media, mimetype: req.mimetype }
              : { document: media, mimetype: req.mimetype, fileName: req.fileName ?? 'file', caption: req.caption }
    try {
      return await this.sent(await sock.sendMessage(req.to, content, { quoted: this.quoted(req.to, req.quotedMessageId), ...(req.messageId ? { messageId: req.messageId } : {}) }))
    } catch (err) {
      if (err instanceof AppError) throw err
      throw new AppError('WA_SEND_FAILED', `Sending media failed: ${(err as Error).message}`)
    }
  }

  async downloadMedia(req: DownloadMediaRequest): Promise<DownloadMediaResult> {
    const sock = this.ready()
    let msg = this.rawMessage(req.chatJid, req.messageId)
    if (!msg) throw new AppError('MESSAGE_NOT_FOUND')
    await mkdir(join(req.targetPath, '..'), { recursive: true })
    const tmp = `${req.targetPath}.part`
    let reuploaded = false
    const fetch = async (m: WAMessage) => {
      const stream = await downloadMediaMessage(m, 'stream', {}, { logger: this.baileysLog, reuploadRequest: sock.updateMediaMessage })
      await pipeline(stream, createWriteStream(tmp))
    }
    try {
      await fetch(msg)
    } catch (err) {
      const status = statusCodeOf(err)
      if (status !== 404 && status !== 410) throw new AppError('MEDIA_FETCH_FAILED', `Media download failed: ${(err as Error).message}`)
      // expired on the server: ask the phone to upload it again, then retry once
      try {
        msg = (await sock.updateMediaMessage(msg)) as WAMessage
        reuploaded = true
        const rec = messageRecord(msg, this.me(), false)
        if (rec) this.batch({ messageUpdates: [{ chatJid: rec.chatJid, id: rec.id, raw: rec.raw }] }, true)
        await fetch(msg)
      } catch (e) {
        throw new AppError('MEDIA_EXPIRED', `The media expired and the phone could not upload it again: ${(e as Error).message}`)
      }
    }
    await rename(tmp, req.targetPath)
    const { size } = await stat(req.targetPath)
    const content = msg.message
    const m = content?.imageMessage ?? content?.videoMessage ?? content?.audioMessage ?? content?.documentMessage ?? content?.stickerMessage
    return { path: req.targetPath, size, mimetype: m?.mimetype ?? undefined, reuploaded, seq: this.emittedSeq }
  }

  async groupMetadata(jid: string): Promise<Written<{ group: GroupRecord }>> {
    const sock = this.ready()
    try {
      const g = groupRecord(await sock.groupMetadata(jid))!
      this.batch({ groups: [g] }, true)
      return { group: g, seq: this.emittedSeq }
    } catch (err) {
      const code = statusCodeOf(err)
      if (code === 404 || code === 403) throw new AppError('GROUP_NOT_FOUND', `No group ${jid} that this account is in.`)
      throw new AppError('WA_QUERY_FAILED', (err as Error).message)
    }
  }

  async groupsParticipating(): Promise<Written<{ groups: GroupRecord[] }>> {
    const sock = this.ready()
    const all = Object.values(await sock.groupFetchAllParticipating()).map((g) => groupRecord(g)!)
    this.batch({ groups: all }, true)
    return { groups: all, seq: this.emittedSeq }
  }

  async profilePictureUrl(jid: string): Promise<string | null> {
    const sock = this.ready()
    try {
      return (await sock.profilePictureUrl(jid, 'image')) ?? null
    } catch (err) {
      const code = statusCodeOf(err)
      // none set, or hidden by the person's privacy settings
      if (code === 404 || code === 401 || code === 403 || code === 400 || /not-found|not-authorized|item-not-found/i.test((err as Error).message)) return null
      throw new AppError('WA_QUERY_FAILED', (err as Error).message)
    }
  }

  async contactInfo(jid: string): Promise<ContactRecord | null> {
    const sock = this.ready()
    const status = await sock.fetchStatus(jid).catch(() => undefined)
    const first = Array.isArray(status) ? (status[0] as { status?: { status?: string } } | undefined) : undefined
    return contactRecord({ id: jid, status: first?.status?.status ?? undefined }) ?? null
  }

  async requestPairingCode(phone: string): Promise<string> {
    if (this.auth.creds.me) throw new AppError('WA_ALREADY_LINKED')
    if (!this.sock) throw new AppError('WA_NOT_READY')
    return this.sock.requestPairingCode(phone.replace(/\D/g, ''))
  }
}

// One Baileys socket and its lifecycle: connect, QR, 515 restart, reconnect with backoff, logout (401)
// clears auth only, replaced (440) stops. Each protocol concern lives in its own module (inbound, sending,
// media, groups, chats, account, message actions); this one owns the socket and lends it to them.
import pino, { type Logger } from 'pino'
import makeWASocket, { Browsers, DisconnectReason, WA_CERT_DETAILS, jidNormalizedUser, makeCacheableSignalKeyStore, type ConnectionState, type WASocket } from '@whiskeysockets/baileys'
import { AppError } from '../../src/errors/app-error.js'
import type { WaWorkerOptions, WaStatus, WaWorkerEvent, WaConnectionState } from '../../src/wa/worker-api.js'
import { openAuthStore, type AuthStore } from './auth-store.js'
import { deviceCache } from './device-cache.js'
import type { Me } from './normalize.js'
import { classifyBaileysLog } from './log-signals.js'
import { LOG_FORMAT, secretSafe } from '../../src/log/logger.js'
import { EventStream } from './event-stream.js'
import { AckGate } from './ack-gate.js'
import { statusCodeOf, type WaHost } from './host.js'
import { StoreOutbox } from './store-outbox.js'
import { StoreReader } from './store-reader.js'
import { Inbound } from './inbound.js'
import { Sending } from './sending.js'
import { Groups } from './groups.js'
import { Chats } from './chats.js'
import { Account } from './account.js'
import { MessageActions } from './message-actions.js'

/** how long a clean stop waits for held acknowledgements (the supervisor gives stop() 2 s) */
const STOP_DRAIN_MS = 1500
/** reconnect backoff: 500 ms doubling to 30 s */
const RECONNECT_BASE_MS = 500
const RECONNECT_MAX_MS = 30_000

export class Session {
  private sock: WASocket | undefined
  private auth: AuthStore
  private status: WaStatus = { state: 'starting', linked: false }
  private reconnectTimer: NodeJS.Timeout | undefined
  private attempts = 0
  private stopped = false
  readonly baileysLog: Logger
  private readonly eventStream: EventStream | undefined
  // the normalized own JIDs, made again only when the creds change
  private meOf?: { id?: string; lid?: string; me: Me }
  private readonly gate: AckGate
  private readonly outbox: StoreOutbox
  private readonly reader: StoreReader
  private readonly inbound: Inbound
  /** what every concern borrows from the session */
  readonly host: WaHost
  readonly sending: Sending
  readonly groups: Groups
  readonly chats: Chats
  readonly account: Account
  /** reactions, edits, deletes, forwards, locations, contacts, polls, read receipts, presence, number checks */
  readonly actions: MessageActions

  constructor(private readonly opts: WaWorkerOptions, private readonly emit: (e: WaWorkerEvent) => void, private readonly log: Logger) {
    if (opts.trustRootKey) WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(opts.trustRootKey, 'base64')
    this.reader = new StoreReader(opts.storeDbPath, opts.messageCacheMax, opts.messageKeyCacheMax)
    this.eventStream = opts.eventStreamPath ? new EventStream(opts.eventStreamPath, opts.eventStreamMaxBytes ?? 50 * 1024 * 1024) : undefined
    this.outbox = new StoreOutbox(emit, (key, seq) => this.gate.saw(key, seq))
    // the session on disk never runs ahead of the message store (see openAuthStore's busy)
    this.auth = openAuthStore(opts.authDbPath, (pairs) => this.outbox.add({ lidMappings: pairs }), opts.keySyncMs, () => this.gate?.holding ?? false)
    this.status.linked = !!this.auth.creds.me
    this.gate = new AckGate(
      {
        flushEvents: () => {
          this.sock?.ev.flush()
          this.outbox.flush()
        },
        emittedSeq: () => this.outbox.seq,
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
    this.inbound = new Inbound({
      outbox: this.outbox,
      reader: this.reader,
      current: () => this.sock,
      onHistory: (h, syncType) => {
        const was = this.status.history
        this.status.history = { syncType, progress: h.progress ?? undefined, messages: (was?.messages ?? 0) + h.messages.length, chats: (was?.chats ?? 0) + h.chats.length, at: Date.now() }
        this.emit({ type: 'status', status: this.status })
      }
    })
    const host: WaHost = {
      ready: () => this.ready(),
      me: () => this.me(),
      rawMessage: (chat, id) => this.reader.rawMessage(chat, id),
      sent: (m) => this.sending.sent(m),
      store: (b) => this.outbox.now(b),
      seq: () => this.outbox.seq,
      log
    }
    this.host = host
    this.sending = new Sending({ host, reader: this.reader, written: () => this.gate.written() })
    this.groups = new Groups(host, this.reader)
    this.chats = new Chats(host, this.reader)
    this.account = new Account(host)
    this.actions = new MessageActions(host)
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

  start(): void {
    this.stopped = false
    this.connect()
  }

  private connect(): void {
    clearTimeout(this.reconnectTimer)
    this.setState('connecting')
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
      cachedGroupMetadata: async (jid) => this.groups.cached(jid),
      getMessage: async (key) => {
        if (!key.id) return undefined
        const chat = key.remoteJid ? jidNormalizedUser(key.remoteJid) : this.reader.chatOf(key.id)
        return chat ? (this.reader.rawMessage(chat, key.id)?.message ?? undefined) : undefined
      },
      connectTimeoutMs: this.opts.initializeTimeoutMs
    })
    this.sock = sock
    this.inbound.reset(this.auth.creds.processedHistoryMessages?.length ?? 0)
    this.gate.attach(sock.ws as unknown as Parameters<AckGate['attach']>[0])
    sock.ev.process(async (events) => {
      if (sock !== this.sock) return
      if (this.opts.eventLog) this.log.info({ events: Object.fromEntries(Object.entries(events).map(([k, v]) => [k, Array.isArray(v) ? v.length : 1])) }, 'baileys events')
      this.eventStream?.write(events as Record<string, unknown>)
      if (events['creds.update']) {
        this.auth.saveCreds()
        const processed = events['creds.update'].processedHistoryMessages
        if (processed) this.inbound.historyStarted(sock, processed.map((p) => p.key.id).filter((id): id is string => !!id))
      }
      const u = events['connection.update']
      if (u) this.onConnectionUpdate(sock, u)
      this.inbound.handle(events, this.me())
    })
  }

  private onConnectionUpdate(sock: WASocket, u: Partial<ConnectionState>): void {
    if (u.qr) this.setState('awaiting-qr', { qr: { value: u.qr, issuedAt: Date.now() } })
    if (u.connection === 'connecting' && !u.qr) this.setState(this.status.state === 'awaiting-qr' ? 'awaiting-qr' : 'connecting')
    if (u.connection === 'open') {
      this.attempts = 0
      const me = this.me()
      this.setState('open', { me: { jid: me.jid!, lid: me.lid, name: sock.user?.name ?? this.auth.creds.me?.name, deviceJid: this.auth.creds.me?.id }, connectedAt: Date.now() })
      this.emit({ type: 'signal', signal: { kind: 'open', at: Date.now() } })
      this.log.info({ me: me.jid }, 'whatsapp connection open')
      this.groups.afterOpen(sock)
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
      const delay = Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** Math.min(this.attempts - 1, 6))
      this.setState('reconnecting', { lastDisconnect })
      this.reconnectTimer = setTimeout(() => this.connect(), delay)
    }
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.outbox.flush()
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

  async reconnect(): Promise<void> {
    if (this.stopped || !this.sock) return
    const old = this.sock
    this.sock = undefined
    old.end(undefined)
    this.connect()
  }

  /** WA_ALREADY_LINKED when linked; WA_NOT_READY before the socket exists */
  async requestPairingCode(phone: string): Promise<string> {
    if (this.auth.creds.me) throw new AppError('WA_ALREADY_LINKED')
    if (!this.sock) throw new AppError('WA_NOT_READY')
    return this.sock.requestPairingCode(phone.replace(/\D/g, ''))
  }
}

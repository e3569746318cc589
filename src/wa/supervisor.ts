// The WhatsApp worker's supervisor (main thread): starts it, watches its heartbeat, restarts it when it
// crashes, hangs, or the recovery policy escalates, and fails in-flight calls with a coded error.
import { Worker, MessageChannel, type MessagePort } from 'node:worker_threads'
import { EventEmitter } from 'node:events'
import * as Comlink from 'comlink'
import type { Logger } from 'pino'
import { AppError } from '../errors/app-error.js'
import { installComlinkErrorHandler, setWireLog } from '../errors/wire.js'
import { nodeEndpoint } from './node-endpoint.js'
import { decideRestart, DEFAULT_RESTART_POLICY, type RestartPolicyOptions } from './restart-policy.js'
import type { WaWorkerApi, WaWorkerEvent, WaWorkerOptions, WaStatus, WaRecoverySignal, WaMainMessage } from './worker-api.js'
import type { EncodedBatch } from '../store/batch-codec.js'
import type { CommitTracker } from '../store/commit-tracker.js'

const ENTRY = new URL('../../workers/whatsapp/entry.js', import.meta.url)
/** how long a new worker may take to its first heartbeat */
const BOOT_HEARTBEAT_TIMEOUT_MS = 20_000

export interface SupervisorOptions {
  worker: WaWorkerOptions
  heartbeatTimeoutMs: number
  restartPolicy?: RestartPolicyOptions
  /** extra env for the worker (tests enable fault hooks this way) */
  env?: Record<string, string>
  /** the store's commit state: the worker hears of commits, and write() waits on them */
  commits: CommitTracker
}

export interface RestartRecord {
  at: number
  cause: string
}

/**
 * A call that puts a message of this server's own into a chat, told before it leaves: `result` settles with
 * the message's id, or undefined when the call failed. The owner chat tells its own messages from the
 * owner's by it (src/approvals/owner-chat.ts).
 */
export interface OwnSend {
  method: Method
  to?: string
  /** the id the message goes under, when the call names it (sendText, sendMedia) */
  messageId?: string
  result: Promise<{ id?: string } | undefined>
}

export interface SupervisorEvents {
  status: [WaStatus]
  batch: [EncodedBatch]
  signal: [WaRecoverySignal]
  restart: [RestartRecord]
  sending: [OwnSend]
}

type Method = keyof WaWorkerApi
/** the calls that make a new message in a chat (edits, reactions and deletes change one that exists) */
const SENDS: ReadonlySet<Method> = new Set<Method>(['sendText', 'sendMedia', 'forwardMessage', 'sendLocation', 'sendContacts', 'sendPoll'])
/** the calls that write to the store and say which batch holds their records */
type WriteMethod = { [M in Method]: Awaited<ReturnType<WaWorkerApi[M]>> extends { seq: number } ? M : never }[Method]

export class Supervisor extends EventEmitter<SupervisorEvents> {
  private worker: Worker | undefined
  private api: Comlink.Remote<WaWorkerApi> | undefined
  private status: WaStatus = { state: 'starting', linked: false }
  private lastHeartbeat = 0
  private sawHeartbeat = false
  private bootFailures = 0
  private readonly restartTimes: number[] = []
  readonly restarts: RestartRecord[] = []
  private watchdog: NodeJS.Timeout | undefined
  private restartTimer: NodeJS.Timeout | undefined
  private stopping = false
  private gaveUp: string | undefined
  private generation = 0
  private died: { promise: Promise<never>; reject: (e: AppError) => void } | undefined
  /** the main thread's end of the current worker's events port */
  private toWorker: MessagePort | undefined
  eventLoopLagMs = 0

  constructor(private readonly opts: SupervisorOptions, private readonly log: Logger) {
    super()
    installComlinkErrorHandler()
    setWireLog(log)
    opts.commits.onAdvance((gen, seq) => {
      if (gen === this.generation) this.toWorker?.postMessage({ type: 'committed', seq } satisfies WaMainMessage)
    })
  }

  getStatus(): WaStatus & { workerRunning: boolean; restarts: number; gaveUp?: string } {
    return { ...this.status, workerRunning: !!this.worker, restarts: this.restarts.length, ...(this.gaveUp ? { gaveUp: this.gaveUp } : {}) }
  }

  async start(): Promise<void> {
    this.stopping = false
    this.spawn()
    this.watchdog = setInterval(() => this.checkHeartbeat(), Math.max(250, Math.floor(this.opts.heartbeatTimeoutMs / 4)))
    this.watchdog.unref()
  }

  private spawn(): void {
    const gen = ++this.generation
    const { port1, port2 } = new MessageChannel()
    const worker = new Worker(ENTRY, {
      workerData: { options: this.opts.worker, events: port2 },
      transferList: [port2],
      env: { ...process.env, ...this.opts.env },
      stdout: false,
      stderr: false
    })
    this.worker = worker
    this.api = Comlink.wrap<WaWorkerApi>(nodeEndpoint(worker))
    let reject!: (e: AppError) => void
    const promise = new Promise<never>((_, r) => (reject = r))
    promise.catch(() => undefined)
    this.died = { promise, reject }
    this.lastHeartbeat = Date.now()
    this.sawHeartbeat = false
    this.toWorker = port1
    port1.on('message', (e: WaWorkerEvent) => gen === this.generation && this.onEvent(e, gen))
    worker.on('error', (err) => this.log.error({ err }, 'whatsapp worker crashed'))
    worker.on('exit', (code) => {
      port1.close()
      if (gen !== this.generation) return
      this.onExit(code)
    })
    this.setStatus({ ...this.status, state: 'starting' })
    void this.api.start().catch((err: unknown) => this.log.error({ err }, 'whatsapp worker failed to start'))
  }

  private onEvent(e: WaWorkerEvent, gen: number): void {
    switch (e.type) {
      case 'status':
        this.setStatus(e.status)
        break
      case 'batch':
        e.batch.summary.gen = gen
        this.emit('batch', e.batch)
        break
      case 'signal':
        this.emit('signal', e.signal)
        break
      case 'heartbeat':
        this.lastHeartbeat = Date.now()
        this.eventLoopLagMs = e.eventLoopLagMs ?? 0
        if (!this.sawHeartbeat) {
          this.sawHeartbeat = true
          this.bootFailures = 0
        }
        break
      case 'fatal':
        this.log.error({ message: e.message }, 'whatsapp worker reported a fatal error')
        void this.restart('fatal: ' + e.message)
        break
    }
  }

  /** when the service stopped being ready (undefined while ready) */
  notReadySince: number | undefined = Date.now()

  private setStatus(s: WaStatus): void {
    if (s.state === 'open') this.notReadySince = undefined
    else this.notReadySince ??= Date.now()
    this.status = s
    this.emit('status', s)
  }

  private checkHeartbeat(): void {
    if (!this.worker || this.stopping) return
    const silent = Date.now() - this.lastHeartbeat
    // a booting worker loads Baileys and its libraries before its first heartbeat: on a busy machine that
    // took longer than a live worker may stay silent, and killing it then only started another slow boot
    const limit = this.sawHeartbeat ? this.opts.heartbeatTimeoutMs : Math.max(this.opts.heartbeatTimeoutMs, BOOT_HEARTBEAT_TIMEOUT_MS)
    if (silent > limit) {
      this.log.warn({ silentMs: silent }, 'whatsapp worker missed its heartbeat; terminating it')
      void this.restart(`heartbeat missed for ${silent} ms`)
    }
  }

  private onExit(code: number): void {
    this.opts.commits.workerGone(this.generation)
    this.worker = undefined
    this.api = undefined
    this.died?.reject(new AppError('WA_WORKER_CRASHED', 'The WhatsApp worker stopped while handling the request; retry.'))
    if (this.stopping) return
    if (!this.sawHeartbeat) this.bootFailures++
    this.scheduleRestart(`worker exited with code ${code}`)
  }

  private scheduleRestart(cause: string): void {
    const d = decideRestart(this.restartTimes, this.bootFailures, Date.now(), this.opts.restartPolicy ?? DEFAULT_RESTART_POLICY)
    if (d.action === 'give-up') {
      this.gaveUp = d.reason
      this.log.error({ reason: d.reason }, 'not restarting the whatsapp worker again')
      this.setStatus({ ...this.status, state: 'stopped' })
      return
    }
    const rec = { at: Date.now(), cause }
    this.restartTimes.push(rec.at)
    this.restarts.push(rec)
    if (this.restarts.length > 100) this.restarts.shift()
    this.log.warn({ cause, delayMs: d.delayMs }, 'restarting the whatsapp worker')
    this.emit('restart', rec)
    this.setStatus({ ...this.status, state: 'reconnecting' })
    clearTimeout(this.restartTimer)
    this.restartTimer = setTimeout(() => this.spawn(), d.delayMs)
  }

  /**
   * The escalation path: terminate the worker and start a fresh one; nothing on disk is lost. A worker that
   * still answers is asked to stop first (up to 2 s), so the acknowledgements it holds for what the store
   * has committed leave, and WhatsApp does not deliver those messages again.
   */
  async restart(cause: string, opts: { graceful?: boolean } = {}): Promise<void> {
    const w = this.worker
    if (!w) return
    if (opts.graceful && this.api) await Promise.race([this.api.stop().catch(() => undefined), new Promise((r) => setTimeout(r, 2000))])
    if (this.worker !== w) return
    this.opts.commits.workerGone(this.generation)
    this.generation++ // ignore the old worker's exit and events
    this.worker = undefined
    this.api = undefined
    this.died?.reject(new AppError('WA_WORKER_RESTARTING', 'The WhatsApp worker is restarting; retry shortly.'))
    await w.terminate()
    this.scheduleRestart(cause)
  }

  /** calls the worker; a dead or restarting worker gives a retryable coded error, never a hang */
  async call<M extends Method>(method: M, ...args: Parameters<WaWorkerApi[M]>): Promise<Awaited<ReturnType<WaWorkerApi[M]>>> {
    const api = this.api
    if (!api || !this.died) throw new AppError('WA_WORKER_RESTARTING', 'The WhatsApp worker is restarting; retry shortly.')
    const fn = api[method] as unknown as (...a: unknown[]) => Promise<Awaited<ReturnType<WaWorkerApi[M]>>>
    const p = Promise.race([fn(...args), this.died.promise])
    if (SENDS.has(method) && this.listenerCount('sending')) {
      const { to, messageId } = (args[0] ?? {}) as { to?: unknown; messageId?: unknown }
      this.emit('sending', { method, ...(typeof to === 'string' ? { to } : {}), ...(typeof messageId === 'string' ? { messageId } : {}), result: p.then((r) => r as { id?: string }, () => undefined) })
    }
    return p
  }

  /**
   * A call that writes to the store, answered only once its records are committed: a tool that reports a
   * send never reports one the store could lose. STORE_UNAVAILABLE when the commit does not come in time,
   * WA_WORKER_CRASHED when the worker died before it handed the records over.
   */
  async write<M extends WriteMethod>(method: M, ...args: Parameters<WaWorkerApi[M]>): Promise<Awaited<ReturnType<WaWorkerApi[M]>>> {
    const gen = this.generation
    const r = await this.call(method, ...args)
    await this.opts.commits.wait(gen, (r as { seq: number }).seq)
    return r
  }

  /** for the fault matrix: reaches the worker's test-only hooks */
  async faultHook(name: 'crash' | 'block', ...args: unknown[]): Promise<void> {
    const api = this.api as unknown as Record<string, (...a: unknown[]) => Promise<void>> | undefined
    if (!api) throw new AppError('WA_WORKER_RESTARTING')
    await api[name]!(...args)
  }

  /** resolves when WhatsApp is open, or fails after `ms` with a retryable WA_NOT_READY */
  waitReady(ms: number): Promise<void> {
    if (this.status.state === 'open') return Promise.resolve()
    if (!this.status.linked && this.status.state === 'awaiting-qr') return Promise.reject(new AppError('WA_NOT_LINKED'))
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.off('status', on)
        if (!this.status.linked && this.status.state === 'awaiting-qr') reject(new AppError('WA_NOT_LINKED'))
        else reject(new AppError('WA_NOT_READY', `WhatsApp is ${this.status.state}; retry shortly.`, { state: this.status.state }))
      }, ms)
      const on = (s: WaStatus): void => {
        if (s.state !== 'open') return
        clearTimeout(t)
        this.off('status', on)
        resolve()
      }
      this.on('status', on)
    })
  }

  async stop(): Promise<void> {
    this.stopping = true
    clearInterval(this.watchdog)
    clearTimeout(this.restartTimer)
    const w = this.worker
    if (!w) return
    try {
      await Promise.race([this.api?.stop(), new Promise((r) => setTimeout(r, 2000))])
    } catch {
      // the worker is going away anyway
    }
    this.opts.commits.workerGone(this.generation)
    this.generation++
    this.worker = undefined
    this.api = undefined
    await w.terminate()
  }
}

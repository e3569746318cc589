// The I/O shell around ack-policy.ts: it sees every node Baileys sends, holds the acknowledgements in
// the socket's send path until the store has committed what they acknowledge, and lets the rest follow in
// order. How it sees the nodes, without changing Baileys:
// - Baileys' `sendNode` renders the node for its log when the logger's level is 'trace', synchronously,
//   right before it encrypts and writes the frame. The logger handed to the socket reports 'trace' and
//   keeps that one rendering (everything else goes to the real logger at its own level), so the frame
//   that reaches the WebSocket's `send` next is known.
// - Baileys renders received frames the same way. That rendering is skipped: a listener on the socket's
//   'frame' event, which fires just before that check, makes the next level read answer 'info'.
// - The WebSocket's own `send` is wrapped; Baileys is told a held frame was written, so it goes on to hand
//   us the message whose receipt waits.
import type { Logger } from 'pino'
import type { WebSocket } from 'ws'
import { AckQueue, classifyOutgoing, type OutgoingAck } from './ack-policy.js'

/** how long an acknowledgement may wait for the store before the connection is dropped (WhatsApp then delivers again) */
export const ACK_HOLD_MAX_MS = 30_000
/** while something is held, how often the gate looks at it */
const FLUSH_EVERY_MS = 25
/**
 * Baileys empties its own event buffer about 100 ms after it handled a message; an acknowledgement held
 * longer than this has Baileys' buffer emptied for it (the buffer may wait on a query stuck behind it).
 */
const FORCE_FLUSH_AFTER_MS = 120
/** message ids taken in whose receipt never came (handled without one) are forgotten past this many */
const SEEN_MAX = 10_000

type SendCallback = (err?: Error) => void
interface Frame {
  data: Uint8Array
}

export interface AckGateHooks {
  /** empties Baileys' event buffer and our own coalescing, so everything taken in is in emitted batches */
  flushEvents(): void
  /** the sequence number of the last store batch emitted */
  emittedSeq(): number
  /** an acknowledgement waited past ACK_HOLD_MAX_MS: drop the connection without sending it */
  stuck(waitedMs: number): void
}

export class AckGate {
  private readonly queue = new AckQueue<Frame>()
  private next: OutgoingAck | undefined
  private skipRecvRender = false
  private raw: WebSocket | undefined
  private rawSend: ((data: Uint8Array, cb?: SendCallback) => void) | undefined
  private flushTimer: NodeJS.Timeout | undefined
  private watchdog: NodeJS.Timeout | undefined
  /** frames put in the queue, and taken out to the socket, since the gate was made */
  private queued = 0
  private released = 0
  /** callers of written(), each waiting for the frames queued up to its mark */
  private readonly writers: Array<{ mark: number; resolve: () => void; reject: (err: Error) => void }> = []

  constructor(private readonly hooks: AckGateHooks, private readonly log: Logger) {}

  /** the logger to give Baileys' socket: `base` at its own level, and the node renderings for us */
  socketLogger(base: Logger): Logger {
    const gate = this
    const facade = Object.create(base) as Logger
    Object.defineProperty(facade, 'level', {
      get() {
        if (gate.skipRecvRender) {
          gate.skipRecvRender = false
          return 'info'
        }
        return 'trace'
      },
      set(v: string) {
        base.level = v
      }
    })
    facade.trace = function (obj: unknown, ...rest: unknown[]) {
      const o = obj as { msg?: unknown; xml?: unknown } | null
      if (o && o.msg === 'xml send' && typeof o.xml === 'string') {
        gate.next = classifyOutgoing(o.xml)
        if (base.isLevelEnabled('trace')) base.trace(obj as object, ...(rest as []))
        return
      }
      if (base.isLevelEnabled('trace')) base.trace(obj as object, ...(rest as []))
    } as Logger['trace']
    facade.child = ((bindings: Record<string, unknown>, options?: object) => base.child(bindings, options)) as Logger['child']
    return facade
  }

  /** wraps the socket's WebSocket; call right after makeWASocket, before anything is sent */
  attach(ws: { socket?: WebSocket | null; on(event: 'frame', cb: (f: unknown) => void): unknown }): void {
    this.close()
    const raw = ws.socket
    if (!raw) throw new Error('Baileys socket has no WebSocket yet')
    this.raw = raw
    const original = raw.send.bind(raw) as (data: Uint8Array, cb?: SendCallback) => void
    this.rawSend = original
    ws.on('frame', (f) => {
      if (this.raw === raw && !(f instanceof Uint8Array)) this.skipRecvRender = true
    })
    raw.send = ((data: Uint8Array, cb?: SendCallback) => {
      if (this.raw === raw) return this.send(data, cb)
      // a socket being replaced still writing: its frame is its own, never one of the new socket's
      this.next = undefined
      return original(data, cb)
    }) as WebSocket['send']
    raw.once('close', () => this.raw === raw && this.close())
  }

  private send(data: Uint8Array, cb?: SendCallback): void {
    const ack = this.next ?? { kind: 'none' as const }
    this.next = undefined
    if (ack.kind === 'none' && this.queue.length === 0) return this.rawSend!(data, cb)
    const h = this.queue.push({ data }, ack, Date.now())
    this.queued++
    // Baileys waits for this callback before it hands us the message the receipt is for
    if (cb) process.nextTick(cb)
    if (ack.kind === 'barrier') {
      // an ack follows the handling of its stanza: what that emitted is in Baileys' buffer or ours by now
      queueMicrotask(() => {
        this.hooks.flushEvents()
        h.barrier = this.hooks.emittedSeq()
        this.pump()
      })
    }
    this.arm()
  }

  /**
   * Resolves once every frame handed to the socket so far has really been written: a frame of ours queued
   * behind a held acknowledgement was told it was written (Baileys goes on), but it has not left, and a
   * crash now would lose a message the tool already reported sent. Rejects when the connection closes first.
   */
  written(): Promise<void> {
    if (this.queue.length === 0) return Promise.resolve()
    return new Promise((resolve, reject) => this.writers.push({ mark: this.queued, resolve, reject }))
  }

  /** frames wait in the queue: something taken in is not committed yet, or a frame waits behind it */
  get holding(): boolean {
    return this.queue.length > 0
  }

  /** what the worker took in (a message id, `hist:<id>`) travels in the store batch `seq` */
  saw(key: string, seq: number): void {
    this.queue.saw(key, seq)
    if (this.queue.length) this.pump()
  }

  /** the main thread committed every store batch up to `seq` */
  committed(seq: number): void {
    if (seq <= this.queue.committed) return
    this.queue.committed = seq
    this.pump()
  }

  /** resolves once nothing is held, or after `ms`: a clean stop lets the acknowledgements of what was committed go */
  drained(ms: number): Promise<void> {
    if (!this.queue.length) return Promise.resolve()
    return new Promise((resolve) => {
      const t = setTimeout(done, ms)
      const poll = setInterval(() => !this.queue.length && done(), 10)
      function done(): void {
        clearTimeout(t)
        clearInterval(poll)
        resolve()
      }
    })
  }

  private pump(): void {
    const send = this.rawSend
    for (const f of this.queue.release()) {
      this.released++
      send?.(f.data, (err) => {
        if (err) this.log.debug({ err: err.message }, 'a released frame could not be written')
      })
    }
    while (this.writers.length && this.writers[0]!.mark <= this.released) this.writers.shift()!.resolve()
    this.queue.trimSeen(SEEN_MAX)
    if (!this.queue.length) this.disarm()
  }

  private arm(): void {
    this.flushTimer ??= setInterval(() => {
      const head = this.queue.head
      if (head && Date.now() - head.heldAt >= FORCE_FLUSH_AFTER_MS) this.hooks.flushEvents()
      this.pump()
    }, FLUSH_EVERY_MS)
    this.watchdog ??= setInterval(() => {
      const head = this.queue.head
      const waited = head ? Date.now() - head.heldAt : 0
      if (head && waited > ACK_HOLD_MAX_MS) {
        this.log.warn({ waitedMs: waited, kind: head.ack.kind }, 'an acknowledgement waited too long for the store; dropping the connection so WhatsApp delivers again')
        this.close()
        this.hooks.stuck(waited)
      }
    }, 1000)
  }

  private disarm(): void {
    clearInterval(this.flushTimer)
    clearInterval(this.watchdog)
    this.flushTimer = undefined
    this.watchdog = undefined
  }

  /** the connection is gone: what was held is never sent (WhatsApp delivers it again) */
  close(): void {
    this.disarm()
    // what was queued is dropped: counted as released, so a later written() does not wait for it
    this.released = this.queued
    for (const w of this.writers.splice(0)) w.reject(new Error('the connection closed before the frame was written'))
    this.queue.clear()
    this.next = undefined
    this.skipRecvRender = false
    this.raw = undefined
    this.rawSend = undefined
  }
}

// Calls of wait_for_messages that are waiting: indexed by the chat they wait on, so a new message wakes
// only the waiters of its chat (and those waiting on any chat). Ten thousand waits must stay cheap, so a
// waiter is one object with no timer and no closure of its own: one timer serves every deadline (a heap
// ordered by deadline), one interval sends every progress notification, and the store is asked again only
// when something a waiter may want was committed.
import { AppError } from '../errors/app-error.js'

/** how many waits one MCP session may have open at once, and all sessions together */
export const MAX_WAITS_PER_CALLER = 32
export const MAX_WAITS = 20_000
/** a wait that runs this long sends a progress notification, so proxies keep the stream open */
export const PROGRESS_EVERY_MS = 15_000

export interface Waiter {
  readonly chat: string | undefined
  readonly caller: object
  /** when it times out (ms since the epoch): `expire` is called then, unless it ended before */
  readonly deadline: number
  /** whether it wants progress notifications (its call has a progress token) */
  readonly progress: boolean
  /** asks the store again; the waiter removes itself when it is done */
  wake(): void
  /** the deadline passed */
  expire(): void
  /** a progress notification is due */
  tick(): void
  /** the waiter's place in the deadline heap: kept by MessageWaiters, -1 when not waiting */
  slot: number
}

export class MessageWaiters {
  private readonly byChat = new Map<string, Set<Waiter>>()
  private readonly anyChat = new Set<Waiter>()
  private readonly perCaller = new WeakMap<object, number>()
  private readonly heap: Waiter[] = []
  private timer: NodeJS.Timeout | undefined
  private timerAt = Infinity
  private progressTimer: NodeJS.Timeout | undefined
  private withProgress = 0
  /** how many waiters were woken, all told: a message wakes only the waiters of its chat */
  woken = 0

  constructor(private readonly maxPerCaller = MAX_WAITS_PER_CALLER, private readonly max = MAX_WAITS, private readonly progressEveryMs = PROGRESS_EVERY_MS) {}

  get size(): number {
    return this.heap.length
  }

  /** registers a wait; RATE_LIMITED when the caller (or the server) has too many open */
  add(w: Waiter): void {
    const mine = this.perCaller.get(w.caller) ?? 0
    if (mine >= this.maxPerCaller) throw new AppError('RATE_LIMITED', `At most ${this.maxPerCaller} wait_for_messages calls may wait at once per session; cancel one or wait for it to end.`, { retry_after: 1 })
    if (this.heap.length >= this.max) throw new AppError('RATE_LIMITED', 'The server has too many waiting calls right now; retry shortly.', { retry_after: 1 })
    this.perCaller.set(w.caller, mine + 1)
    if (w.chat) {
      let set = this.byChat.get(w.chat)
      if (!set) this.byChat.set(w.chat, (set = new Set()))
      set.add(w)
    } else this.anyChat.add(w)
    w.slot = this.heap.length
    this.heap.push(w)
    this.up(w.slot)
    this.arm()
    if (w.progress && this.withProgress++ === 0) this.progressTimer = setInterval(() => this.tickAll(), this.progressEveryMs).unref()
  }

  remove(w: Waiter): void {
    if (w.slot < 0) return
    const set = w.chat ? this.byChat.get(w.chat) : this.anyChat
    set?.delete(w)
    if (w.chat && set && !set.size) this.byChat.delete(w.chat)
    this.perCaller.set(w.caller, Math.max(0, (this.perCaller.get(w.caller) ?? 1) - 1))
    this.take(w.slot)
    if (w.progress && --this.withProgress === 0) clearInterval(this.progressTimer)
  }

  /** new incoming messages were committed in these chats */
  wake(chats: readonly string[]): void {
    for (const c of chats) for (const w of [...(this.byChat.get(c) ?? [])]) this.wakeOne(w)
    for (const w of [...this.anyChat]) this.wakeOne(w)
  }

  private wakeOne(w: Waiter): void {
    this.woken++
    w.wake()
  }

  private tickAll(): void {
    for (const w of this.heap) if (w.progress) w.tick()
  }

  /** one timer, at the earliest deadline */
  private arm(): void {
    const next = this.heap[0]?.deadline ?? Infinity
    if (next === this.timerAt) return
    clearTimeout(this.timer)
    this.timerAt = next
    this.timer = next === Infinity ? undefined : setTimeout(() => this.expireDue(), Math.max(0, next - Date.now())).unref()
  }

  private expireDue(): void {
    this.timerAt = Infinity
    const now = Date.now()
    // expire() removes the waiter; a waiter that fails to remove itself is taken out here
    while (this.heap.length && this.heap[0]!.deadline <= now) {
      const w = this.heap[0]!
      w.expire()
      if (this.heap[0] === w) this.remove(w)
    }
    this.arm()
  }

  private take(i: number): void {
    const w = this.heap[i]!
    const last = this.heap.pop()!
    w.slot = -1
    if (last !== w) {
      this.heap[i] = last
      last.slot = i
      this.down(this.up(i))
    }
    this.arm()
  }

  private up(i: number): number {
    const h = this.heap
    while (i > 0) {
      const p = (i - 1) >> 1
      if (h[p]!.deadline <= h[i]!.deadline) break
      this.swap(i, p)
      i = p
    }
    return i
  }

  private down(i: number): void {
    const h = this.heap
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let m = i
      if (l < h.length && h[l]!.deadline < h[m]!.deadline) m = l
      if (r < h.length && h[r]!.deadline < h[m]!.deadline) m = r
      if (m === i) return
      this.swap(i, m)
      i = m
    }
  }

  private swap(a: number, b: number): void {
    const h = this.heap
    const x = h[a]!
    h[a] = h[b]!
    h[b] = x
    h[a]!.slot = a
    h[b]!.slot = b
  }
}

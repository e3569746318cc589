// Calls of wait_for_messages that are waiting: indexed by the chat they wait on, so a new message wakes
// only the waiters of its chat (and those waiting on any chat). A waiter holds a closure and a timer, no
// buffers; the store is asked again only when something it may want was committed.
import { AppError } from '../errors/app-error.js'

/** how many waits one MCP session may have open at once, and all sessions together */
export const MAX_WAITS_PER_CALLER = 32
export const MAX_WAITS = 20_000

export interface Waiter {
  readonly chat: string | undefined
  readonly caller: object
  /** asks the store again; the waiter removes itself when it is done */
  readonly wake: () => void
}

export class MessageWaiters {
  private readonly byChat = new Map<string, Set<Waiter>>()
  private readonly anyChat = new Set<Waiter>()
  private readonly perCaller = new WeakMap<object, number>()
  private count = 0
  /** how many waiters were woken, all told: a message wakes only the waiters of its chat */
  woken = 0

  constructor(private readonly maxPerCaller = MAX_WAITS_PER_CALLER, private readonly max = MAX_WAITS) {}

  get size(): number {
    return this.count
  }

  /** registers a wait; RATE_LIMITED when the caller (or the server) has too many open */
  add(w: Waiter): void {
    const mine = this.perCaller.get(w.caller) ?? 0
    if (mine >= this.maxPerCaller) throw new AppError('RATE_LIMITED', `At most ${this.maxPerCaller} wait_for_messages calls may wait at once per session; cancel one or wait for it to end.`, { retry_after: 1 })
    if (this.count >= this.max) throw new AppError('RATE_LIMITED', 'The server has too many waiting calls right now; retry shortly.', { retry_after: 1 })
    this.perCaller.set(w.caller, mine + 1)
    this.count++
    if (w.chat) {
      let set = this.byChat.get(w.chat)
      if (!set) this.byChat.set(w.chat, (set = new Set()))
      set.add(w)
    } else this.anyChat.add(w)
  }

  remove(w: Waiter): void {
    const set = w.chat ? this.byChat.get(w.chat) : this.anyChat
    if (!set?.delete(w)) return
    if (w.chat && !set.size) this.byChat.delete(w.chat)
    this.count--
    this.perCaller.set(w.caller, Math.max(0, (this.perCaller.get(w.caller) ?? 1) - 1))
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
}

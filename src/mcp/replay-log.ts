// What a session's request streams said, kept a short while so a client whose stream broke can resume it
// (GET with Last-Event-ID) and still get what it missed: above all the result of a call that ran, a send
// that went out. Bounded in time, per session and for the whole process. Pure: no I/O, clock passed in.

/** how long an event stays replayable */
export const REPLAY_MS = 120_000
/** what one session's log may hold */
export const REPLAY_SESSION_BYTES = 1024 * 1024
/** what all sessions' logs together may hold; past it new events are delivered but not kept */
export const REPLAY_TOTAL_BYTES = 64 * 1024 * 1024

/** an event of a request stream: `stream` and `seq` make its SSE id `<stream>-<seq>` */
export interface LoggedEvent {
  readonly stream: number
  readonly seq: number
  /** the SSE event text, its `id:` line included */
  readonly text: string
  /** the response that ends its request (a stream ends after its last one) */
  readonly final: boolean
  readonly at: number
  /** written to a live connection (which may still have died under it) */
  delivered: boolean
  /** delivered on the session's standalone GET stream instead: a resume must not repeat it */
  elsewhere: boolean
}

/** the bytes every log of the process holds together */
export class ReplayBudget {
  used = 0
  constructor(readonly max = REPLAY_TOTAL_BYTES) {}
}

export const sharedReplayBudget = new ReplayBudget()

/** parses an SSE id of a request stream; undefined for anything else (a foreign or garbled Last-Event-ID) */
export function parseEventId(id: string | undefined): { stream: number; seq: number } | undefined {
  const m = id ? /^(\d{1,9})-(\d{1,12})$/.exec(id.trim()) : null
  return m ? { stream: Number(m[1]), seq: Number(m[2]) } : undefined
}

export class ReplayLog {
  private entries: LoggedEvent[] = []
  private bytes = 0

  constructor(
    private readonly budget: ReplayBudget = sharedReplayBudget,
    private readonly maxMs = REPLAY_MS,
    private readonly maxBytes = REPLAY_SESSION_BYTES
  ) {}

  get size(): number {
    return this.entries.length
  }

  /**
   * Records an event. The oldest of this session go first when it passes its share; when the process-wide
   * budget is spent the event is returned but not kept (it is still delivered live).
   */
  add(stream: number, seq: number, text: string, final: boolean, now = Date.now()): LoggedEvent {
    const e: LoggedEvent = { stream, seq, text, final, at: now, delivered: false, elsewhere: false }
    this.prune(now)
    const cost = text.length
    if (cost > this.maxBytes) return e
    while (this.entries.length && this.bytes + cost > this.maxBytes) this.drop()
    if (this.budget.used + cost > this.budget.max) return e
    this.entries.push(e)
    this.bytes += cost
    this.budget.used += cost
    return e
  }

  /** whether events of `stream` are still kept */
  has(stream: number, now = Date.now()): boolean {
    this.prune(now)
    return this.entries.some((e) => e.stream === stream)
  }

  /** the events of `stream` after `seq` that the client cannot have had on another stream, oldest first */
  after(stream: number, seq: number, now = Date.now()): LoggedEvent[] {
    this.prune(now)
    return this.entries.filter((e) => e.stream === stream && e.seq > seq && !e.elsewhere)
  }

  /** results no connection took: for a client that reopens its GET stream without Last-Event-ID */
  undelivered(now = Date.now()): LoggedEvent[] {
    this.prune(now)
    return this.entries.filter((e) => e.final && !e.delivered && !e.elsewhere)
  }

  /** forgets what is older than the time bound */
  prune(now = Date.now()): void {
    const cutoff = now - this.maxMs
    while (this.entries.length && this.entries[0]!.at < cutoff) this.drop()
  }

  /** gives everything back to the budget (the session is gone) */
  clear(): void {
    while (this.entries.length) this.drop()
  }

  private drop(): void {
    const e = this.entries.shift()!
    this.bytes -= e.text.length
    this.budget.used -= e.text.length
  }
}

// services.pacing: the shell around pace-policy.ts. It holds the sends of the last 24 h (from PaceLog, so a
// restart keeps the day's budget), the slots reserved for sends queued into the outbox, the warm-up's
// start, and the counters /api/status and /metrics show.
import type { Settings } from '../settings/settings.js'
import { earliestSlot, limitsInForce, typingDuration, warmUpAt, DAY, type LimitName, type PaceLimits, type PaceSend, type WarmUp } from './pace-policy.js'
import type { PaceLog } from './pace-log.js'

/**
 * A queued send's reservation not taken this long after its time is dropped: the outbox fires within a
 * second, so its entry was cancelled (or waits for WhatsApp, and then asks afresh when it fires).
 */
const STALE_RESERVATION_MS = 5 * 60_000
/**
 * A send let through counts as going on until its answer comes (record()), so the chat's next one keeps
 * its gap from the send itself even when it is slow; one whose answer never comes (it failed) stops
 * counting so after this long.
 */
const IN_FLIGHT_MAX_MS = 15_000

export interface PacingDeps {
  settings: () => Settings
  log: PaceLog
  /** whether the store holds any message of this chat (ours or theirs): then a send is no first contact */
  hasMessages(chatJid: string): boolean
  /** shows a chat state in a chat (the WhatsApp worker's sendPresence) */
  presence(state: 'composing' | 'paused', chatJid: string): Promise<void>
  random?: () => number
}

/** what a send was told, counted since the start (pacing_sends_total in /metrics) */
export interface PacingCounters {
  /** went at once */
  immediate: number
  /** awaited a short wait (pacing_max_wait_ms) */
  waited: number
  queued: number
  refused: number
  /** queued sends that went when their time came */
  from_queue: number
  /** outbox entries (queued or scheduled) moved on when their time came */
  deferred: number
}

export interface SlotOptions {
  /**
   * The caller awaits a slot within pacing_max_wait_ms itself (the send tools), so such a slot is recorded
   * as sent. Without it (the outbox) only a slot at `now` is; a later one is reserved for the entry, which
   * the outbox moves there and asks about again.
   */
  wait?: boolean
  /** false for sends the outbox cannot take (location, poll ...): a later slot is not reserved */
  queueable?: boolean
}

export class Pacing {
  private sends: PaceSend[]
  /** slots of sends queued for later, in memory: the outbox keeps the entries, a restart re-asks slot() */
  private pending: PaceSend[] = []
  /** sends let through whose answer has not come yet */
  private readonly inFlight = new Set<PaceSend>()
  private readonly known: Set<string>
  private linkedSince: number | undefined
  private linkedJid: string | undefined
  private lastLimit: LimitName | null = null
  readonly counters: PacingCounters = { immediate: 0, waited: 0, queued: 0, refused: 0, from_queue: 0, deferred: 0 }

  constructor(private readonly deps: PacingDeps, now = Date.now()) {
    deps.log.prune(now)
    this.sends = deps.log.recent(now)
    this.known = deps.log.knownChats()
  }

  private get s(): Settings {
    return this.deps.settings()
  }

  enabled(): boolean {
    return this.s.pacing_enabled
  }

  mode(): 'queue' | 'refuse' {
    return this.s.pacing_over_limit
  }

  /** sends allowed within this long are awaited by the call instead of queued or refused */
  maxWaitMs(): number {
    return this.s.pacing_max_wait_ms
  }

  /** the account `jid` is linked now: its warm-up counts from the first time this server saw it linked */
  linked(jid: string, now = Date.now()): void {
    if (jid === this.linkedJid) return
    this.linkedJid = jid
    this.linkedSince = this.deps.log.linkedAt(jid, now)
  }

  warmUp(now = Date.now()): WarmUp {
    const s = this.s
    return warmUpAt({ days: s.pacing_warmup_days, firstDayPerDay: s.pacing_warmup_first_day, growth: s.pacing_warmup_growth, newChatsPerDay: s.pacing_warmup_new_chats_per_day }, this.linkedSince, now)
  }

  limits(now = Date.now()): PaceLimits {
    const s = this.s
    const base: PaceLimits = {
      chatMinGapMs: s.pacing_chat_min_gap_ms,
      chatPerMinute: s.pacing_chat_per_minute,
      chatPerHour: s.pacing_chat_per_hour,
      newChatsPerDay: s.pacing_new_chats_per_day,
      perMinute: s.pacing_per_minute,
      perDay: s.pacing_per_day,
      jitterMs: s.pacing_jitter_ms
    }
    return limitsInForce(base, this.warmUp(now))
  }

  /**
   * The earliest time a send to `chatJid` may go, `now` when the limits allow it at once; the slot is
   * reserved for it. A slot the caller goes at (now, or within pacing_max_wait_ms with `wait`) is recorded
   * as sent; a later one is reserved for a queued send in queue mode, and not at all in refuse mode (the
   * send is refused).
   * The outbox asks again when a queued send is due: its reserved slot is taken then, checked against the
   * sends really made, and moved on if one of them came late.
   */
  slot(chatJid: string, now: number, opts: SlotOptions = {}): number {
    if (!this.enabled()) return now
    this.forget(now)
    const limits = this.limits(now)
    const random = (this.deps.random ?? Math.random)()
    // only the outbox takes a reservation: a direct send queues behind the chat's queued ones
    const mine = opts.wait ? -1 : this.pending.findIndex((p) => p.chat === chatJid && p.at <= now)
    if (mine >= 0) {
      // a queued send's time has come: only the sends made so far can hold it back now
      const [own] = this.pending.splice(mine, 1)
      const slot = earliestSlot({ ...limits, jitterMs: 0 }, this.made(now).filter((x) => x.at <= now), chatJid, own!.first, now, random)
      return this.decide({ chat: chatJid, at: slot.at, first: own!.first }, slot.limit, now, opts, true)
    }
    const first = !this.known.has(chatJid) && !this.deps.hasMessages(chatJid)
    const slot = earliestSlot(limits, [...this.made(now), ...this.pending], chatJid, first, now, random)
    return this.decide({ chat: chatJid, at: slot.at, first }, slot.limit, now, opts)
  }

  /** the sends made, one still going counted as going now */
  private made(now: number): PaceSend[] {
    if (!this.inFlight.size) return this.sends
    return this.sends.map((x) => (this.inFlight.has(x) && x.at < now && now - x.at < IN_FLIGHT_MAX_MS ? { ...x, at: now } : x))
  }

  private decide(send: PaceSend, limit: LimitName | null, now: number, opts: SlotOptions, queued = false): number {
    this.lastLimit = limit
    if (send.at - now <= (opts.wait ? this.maxWaitMs() : 0)) {
      this.sends.push(send)
      this.inFlight.add(send)
      this.known.add(send.chat)
      this.deps.log.add(send)
      this.counters[queued ? 'from_queue' : send.at > now ? 'waited' : 'immediate']++
      return send.at
    }
    // the outbox's own entries keep a reservation whatever the mode: they exist already, moved to their slot
    if (!opts.wait || (this.mode() === 'queue' && opts.queueable !== false)) {
      this.pending.push(send)
      this.known.add(send.chat)
      this.counters[opts.wait ? 'queued' : 'deferred']++
    } else {
      this.counters.refused++
    }
    return send.at
  }

  /** which limit held the last paced send back (null: none did) */
  lastHeldBy(): LimitName | null {
    return this.lastLimit
  }

  /**
   * A send to `chatJid` was answered at `sentAt` (`sent` false: answered from an earlier one, nothing
   * went). Its reservation, the chat's latest going one, is done; a send that went counts from `sentAt`
   * (a slow upload, a busy worker), so the next one keeps its gap from the send itself.
   */
  record(chatJid: string, sentAt = Date.now(), sent = true): void {
    let latest: PaceSend | undefined
    for (const x of this.inFlight) if (x.chat === chatJid && x.at <= sentAt && (!latest || x.at > latest.at)) latest = x
    if (!latest) return
    this.inFlight.delete(latest)
    if (!sent || latest.at === sentAt) return
    this.deps.log.move(latest, sentAt)
    latest.at = sentAt
  }

  /** a queued send that will not go (cancelled): its reserved slot is given back */
  release(chatJid: string, at: number): void {
    const i = this.pending.findIndex((p) => p.chat === chatJid && p.at === at)
    if (i >= 0) this.pending.splice(i, 1)
  }

  /** how long "typing…" shows before `text`; 0 when typing presence is off */
  typingMs(text: string): number {
    const s = this.s
    if (!s.pacing_enabled || !s.typing_presence || !text) return 0
    return typingDuration(text, s.pacing_typing_ms_per_char, s.pacing_typing_max_ms)
  }

  /** shows "typing…" in the chat for `ms`, then stops it; a presence that fails never stops the send */
  async type(chatJid: string, ms: number, signal?: AbortSignal): Promise<void> {
    if (ms <= 0) return
    await this.deps.presence('composing', chatJid).catch(() => undefined)
    await sleep(ms, signal)
    void this.deps.presence('paused', chatJid).catch(() => undefined)
  }

  /** what /api/status shows */
  snapshot(now = Date.now()) {
    this.forget(now)
    const l = this.limits(now)
    const w = this.warmUp(now)
    const past = this.sends.filter((x) => x.at <= now)
    const next = this.pending.reduce<number | null>((m, p) => (m === null || p.at < m ? p.at : m), null)
    return {
      enabled: this.enabled(),
      over_limit: this.mode(),
      max_wait_ms: this.maxWaitMs(),
      typing_presence: this.s.typing_presence,
      limits: { chat_min_gap_ms: l.chatMinGapMs, chat_per_minute: l.chatPerMinute, chat_per_hour: l.chatPerHour, new_chats_per_day: l.newChatsPerDay, per_minute: l.perMinute, per_day: l.perDay, jitter_ms: l.jitterMs },
      warm_up: { active: w.active, day: w.day, days: this.s.pacing_warmup_days, ends_at: w.endsAt, linked_at: this.linkedSince ?? null },
      used: {
        per_minute: past.filter((x) => x.at > now - 60_000).length,
        per_day: past.filter((x) => x.at > now - DAY).length,
        new_chats_per_day: past.filter((x) => x.first && x.at > now - DAY).length
      },
      queue: { length: this.pending.length, next_send_at: next },
      sends: { ...this.counters },
      last_held_by: this.lastLimit
    }
  }

  /** sends older than the longest window no longer count; a reservation long past its time was cancelled */
  private forget(now: number): void {
    if (this.pending.some((p) => p.at < now - STALE_RESERVATION_MS)) this.pending = this.pending.filter((p) => p.at >= now - STALE_RESERVATION_MS)
    for (const x of this.inFlight) if (now - x.at >= IN_FLIGHT_MAX_MS) this.inFlight.delete(x)
    if (this.sends.length && this.sends[0]!.at <= now - DAY) {
      this.sends = this.sends.filter((x) => x.at > now - DAY)
      this.deps.log.prune(now)
    }
  }

  close(): void {
    this.deps.log.close()
  }
}

export type PacingSnapshot = ReturnType<Pacing['snapshot']>

/** resolves after `ms` (at once for 0 or less), or early when `signal` aborts */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve()
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms)
    signal?.addEventListener('abort', () => {
      clearTimeout(t)
      resolve()
    }, { once: true })
  })
}

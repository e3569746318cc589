// The pace of sends as a pure function of the sends already made or reserved: when may the next send to a
// chat go? No clock, no randomness, no I/O here (the shell, pacing.ts, passes `now` and a random number),
// so the table in test/pacing/pace-policy.test.ts can try every limit.

/** the limits one send is held to; 0 turns a limit off */
export interface PaceLimits {
  /** least time between two sends to one chat */
  chatMinGapMs: number
  /** sends to one chat in any 60 s, and in any hour */
  chatPerMinute: number
  chatPerHour: number
  /** first sends to chats we never wrote to (and that never wrote to us), in any 24 h */
  newChatsPerDay: number
  /** sends to all chats together in any 60 s, and in any 24 h */
  perMinute: number
  perDay: number
  /** a paced send goes up to this much later than the limits allow, so paced sends keep no beat */
  jitterMs: number
}

/** one send made or reserved: its chat, when, and whether it was the first to that chat */
export interface PaceSend {
  chat: string
  at: number
  first: boolean
}

export type LimitName = 'chat_gap' | 'chat_per_minute' | 'chat_per_hour' | 'new_chats_per_day' | 'per_minute' | 'per_day'

export interface Slot {
  /** the earliest time the send may go (>= now) */
  at: number
  /** the limit that held it back last, or null when it may go at `now` */
  limit: LimitName | null
}

const MINUTE = 60_000
const HOUR = 3_600_000
export const DAY = 86_400_000
/** enough for any realistic log; a guard against a loop that would not end on corrupt input */
const MAX_STEPS = 100_000

interface Rule {
  name: LimitName
  applies: (s: PaceSend) => boolean
  windowMs: number
  cap: number
}

/**
 * How many of `times` lie in the fullest window of `windowMs` that contains `t`, counting `t` itself.
 * Exact for whole milliseconds: a window [s, s + windowMs) contains t for s in (t - windowMs, t]; its count
 * only grows where a later time enters it (s = x - windowMs + 1), so those starts and the first are tried.
 */
function fullestWindow(times: readonly number[], t: number, windowMs: number): number {
  const near = times.filter((x) => x > t - windowMs && x < t + windowMs).sort((a, b) => a - b)
  const starts = [t - windowMs + 1, ...near.map((x) => x - windowMs + 1).filter((s) => s > t - windowMs && s <= t)]
  let most = 0
  // the starts ascend, so both ends of the window only move forward (two pointers, linear)
  for (let i = 0, from = 0, end = 0; i < starts.length; i++) {
    const start = starts[i]!
    while (from < near.length && near[from]! < start) from++
    while (end < near.length && near[end]! < start + windowMs) end++
    if (end - from > most) most = end - from
  }
  return most + 1
}

/**
 * The earliest time at or after `now` that keeps every limit, given the sends made or reserved (`sends`,
 * in any order, past and future). `isNew` says the send is a first contact (see PaceLimits.newChatsPerDay).
 * `random` in [0, 1) picks the jitter, added only when a limit held the send back.
 */
export function earliestSlot(limits: PaceLimits, sends: readonly PaceSend[], chat: string, isNew: boolean, now: number, random: number): Slot {
  const ofChat = (s: PaceSend) => s.chat === chat
  const all: Rule[] = [
    { name: 'chat_per_minute', applies: ofChat, windowMs: MINUTE, cap: limits.chatPerMinute },
    { name: 'chat_per_hour', applies: ofChat, windowMs: HOUR, cap: limits.chatPerHour },
    { name: 'per_minute', applies: () => true, windowMs: MINUTE, cap: limits.perMinute },
    { name: 'per_day', applies: () => true, windowMs: DAY, cap: limits.perDay },
    ...(isNew ? [{ name: 'new_chats_per_day' as const, applies: (s: PaceSend) => s.first, windowMs: DAY, cap: limits.newChatsPerDay }] : [])
  ]
  const rules = all.filter((r) => r.cap > 0)
  const timesOf = rules.map((r) => sends.filter(r.applies).map((s) => s.at))
  const chatTimes = sends.filter(ofChat).map((s) => s.at)

  // the next time after t at which one rule could hold: each step moves t to where a blocking send
  // leaves the window, so t only grows and the loop ends
  const settle = (from: number): Slot => {
    let t = from
    let limit: LimitName | null = null
    for (let step = 0; step < MAX_STEPS; step++) {
      let next = t
      if (limits.chatMinGapMs > 0) {
        const close = chatTimes.filter((x) => Math.abs(x - t) < limits.chatMinGapMs)
        if (close.length) {
          next = Math.max(next, Math.max(...close) + limits.chatMinGapMs)
          limit = 'chat_gap'
        }
      }
      rules.forEach((r, i) => {
        if (fullestWindow(timesOf[i]!, t, r.windowMs) <= r.cap) return
        const inWindow = timesOf[i]!.filter((x) => x > t - r.windowMs && x < t + r.windowMs)
        next = Math.max(next, Math.min(...inWindow) + r.windowMs)
        limit = r.name
      })
      if (next === t) return { at: t, limit }
      t = next
    }
    return { at: t, limit }
  }

  const first = settle(now)
  if (first.limit === null || limits.jitterMs <= 0) return first
  // jitter moves the send later; settling again keeps the limits where that crossed another reservation
  const jittered = settle(first.at + Math.floor(random * limits.jitterMs))
  return { at: jittered.at, limit: jittered.limit ?? first.limit }
}

/** how a newly linked account ramps up: fewer sends a day, and fewer first contacts, for its first days */
export interface WarmUpConfig {
  days: number
  firstDayPerDay: number
  growth: number
  newChatsPerDay: number
}

export interface WarmUp {
  active: boolean
  /** 1 on the day of the link */
  day: number
  endsAt: number | null
  perDay: number | null
  newChatsPerDay: number | null
}

/** where the account stands in its warm-up, linked at `since` (unknown: no warm-up) */
export function warmUpAt(cfg: WarmUpConfig, since: number | undefined, now: number): WarmUp {
  if (since === undefined || cfg.days <= 0) return { active: false, day: 0, endsAt: null, perDay: null, newChatsPerDay: null }
  const day = Math.floor(Math.max(0, now - since) / DAY) + 1
  if (day > cfg.days) return { active: false, day, endsAt: since + cfg.days * DAY, perDay: null, newChatsPerDay: null }
  return { active: true, day, endsAt: since + cfg.days * DAY, perDay: Math.max(1, Math.round(cfg.firstDayPerDay * cfg.growth ** (day - 1))), newChatsPerDay: cfg.newChatsPerDay }
}

/** the limits in force: the warm-up lowers the daily ones (never raises them; a 0 "off" becomes its cap) */
export function limitsInForce(base: PaceLimits, w: WarmUp): PaceLimits {
  if (!w.active) return base
  const lower = (cap: number, warm: number | null) => (warm === null ? cap : cap > 0 ? Math.min(cap, warm) : warm)
  return { ...base, perDay: lower(base.perDay, w.perDay), newChatsPerDay: lower(base.newChatsPerDay, w.newChatsPerDay) }
}

/** how long to show "typing…" before a text: proportional to its length, bounded */
export function typingDuration(text: string, msPerChar: number, maxMs: number): number {
  return Math.max(0, Math.min(maxMs, [...text].length * msPerChar))
}

// The pace of sends as a table: each row is the sends already made or reserved, the limits, and the time
// the next send may go. The policy is pure, so every limit is tried here, exactly, without a clock.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { earliestSlot, limitsInForce, typingDuration, warmUpAt, DAY, type PaceLimits, type PaceSend } from '../../src/pacing/pace-policy.js'

const OFF: PaceLimits = { chatMinGapMs: 0, chatPerMinute: 0, chatPerHour: 0, newChatsPerDay: 0, perMinute: 0, perDay: 0, jitterMs: 0 }
const T = 1_800_000_000_000
const A = 'a@s.whatsapp.net'
const B = 'b@s.whatsapp.net'
const sent = (chat: string, ...ats: number[]): PaceSend[] => ats.map((at) => ({ chat, at: T + at, first: false }))
const firsts = (...ats: number[]): PaceSend[] => ats.map((at, i) => ({ chat: `new${i}@s.whatsapp.net`, at: T + at, first: true }))

interface Row {
  name: string
  limits: Partial<PaceLimits>
  sends: PaceSend[]
  chat?: string
  isNew?: boolean
  /** ms after T */
  now?: number
  random?: number
  /** ms after T */
  at: number
  limit: string | null
}

const rows: Row[] = [
  { name: 'no limits: a send goes at once', limits: {}, sends: sent(A, -1, -2, -3), at: 0, limit: null },
  { name: 'the gap to the last send to the chat holds the next one back', limits: { chatMinGapMs: 6000 }, sends: sent(A, -1000), at: 5000, limit: 'chat_gap' },
  { name: 'a send past the gap goes at once', limits: { chatMinGapMs: 6000 }, sends: sent(A, -6000), at: 0, limit: null },
  { name: 'the gap is per chat: another chat goes at once', limits: { chatMinGapMs: 6000 }, sends: sent(A, -1000), chat: B, at: 0, limit: null },
  { name: 'a slot reserved in the future for the chat counts: the next goes a gap after it', limits: { chatMinGapMs: 6000 }, sends: sent(A, 0, 6000, 12000), at: 18000, limit: 'chat_gap' },
  { name: 'a free gap between two reservations is used', limits: { chatMinGapMs: 1000 }, sends: sent(A, -500, 5000), at: 500, limit: 'chat_gap' },
  { name: 'the chat cap per minute waits for the oldest of the minute to leave it', limits: { chatPerMinute: 3 }, sends: sent(A, -50_000, -40_000, -10_000), at: 10_000, limit: 'chat_per_minute' },
  { name: 'under the chat cap per minute a send goes at once', limits: { chatPerMinute: 3 }, sends: sent(A, -50_000, -10_000), at: 0, limit: null },
  { name: 'the chat cap per hour', limits: { chatPerHour: 2 }, sends: sent(A, -3_000_000, -60_000), at: 600_000, limit: 'chat_per_hour' },
  { name: 'the global cap per minute counts every chat', limits: { perMinute: 2 }, sends: [...sent(A, -30_000), ...sent(B, -20_000)], chat: 'c@s.whatsapp.net', at: 30_000, limit: 'per_minute' },
  { name: 'the global cap per day is a rolling 24 h', limits: { perDay: 2 }, sends: [...sent(A, -DAY + 3_600_000), ...sent(B, -60_000)], chat: 'c@s.whatsapp.net', at: 3_600_000, limit: 'per_day' },
  { name: 'a send older than 24 h no longer counts', limits: { perDay: 1 }, sends: sent(A, -DAY), at: 0, limit: null },
  { name: 'first contacts a day hold a new chat back', limits: { newChatsPerDay: 2 }, sends: firsts(-7_200_000, -3_600_000), isNew: true, chat: 'x@s.whatsapp.net', at: DAY - 7_200_000, limit: 'new_chats_per_day' },
  { name: 'first contacts a day leave known chats alone', limits: { newChatsPerDay: 2 }, sends: firsts(-7_200_000, -3_600_000), isNew: false, chat: A, at: 0, limit: null },
  { name: 'a cap counts reservations after the slot too (the fullest window around it)', limits: { perMinute: 2 }, sends: [...sent(A, 30_000), ...sent(B, 50_000)], chat: 'c@s.whatsapp.net', at: 90_000, limit: 'per_minute' },
  { name: 'several limits: the latest of them wins', limits: { chatMinGapMs: 6000, perMinute: 2 }, sends: [...sent(A, -1000), ...sent(B, -50_000)], at: 10_000, limit: 'per_minute' },
  { name: 'jitter moves a held-back send later, within its bound', limits: { chatMinGapMs: 6000, jitterMs: 3000 }, sends: sent(A, -1000), random: 0.5, at: 6500, limit: 'chat_gap' },
  { name: 'jitter never moves a send that no limit held back', limits: { chatMinGapMs: 6000, jitterMs: 3000 }, sends: sent(A, -7000), random: 0.99, at: 0, limit: null },
  { name: 'now is later than T', limits: { chatMinGapMs: 6000 }, sends: sent(A, 0), now: 2000, at: 6000, limit: 'chat_gap' }
]

for (const r of rows) {
  test(`pace policy: ${r.name}`, () => {
    const slot = earliestSlot({ ...OFF, ...r.limits }, r.sends, r.chat ?? A, r.isNew ?? false, T + (r.now ?? 0), r.random ?? 0)
    assert.equal(slot.at - T, r.at)
    assert.equal(slot.limit, r.limit)
  })
}

test('pace policy: a burst of 100 sends to one chat, each reserved in turn, keeps every limit', () => {
  const limits: PaceLimits = { ...OFF, chatMinGapMs: 1000, chatPerMinute: 20, perMinute: 25, jitterMs: 500 }
  const sends: PaceSend[] = []
  let seed = 7
  const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647)
  for (let i = 0; i < 100; i++) sends.push({ chat: A, at: earliestSlot(limits, sends, A, false, T, random()).at, first: false })
  const ats = sends.map((s) => s.at).sort((a, b) => a - b)
  for (let i = 1; i < ats.length; i++) assert.ok(ats[i]! - ats[i - 1]! >= 1000, `gap ${i}: ${ats[i]! - ats[i - 1]!} ms`)
  for (const at of ats) assert.ok(ats.filter((x) => x >= at && x < at + 60_000).length <= 20, 'at most 20 in any minute')
  // jitter: the gaps are not all the same
  assert.ok(new Set(ats.slice(1).map((x, i) => x - ats[i]!)).size > 10)
})

test('warm-up: the first day allows the first-day figure, each further day the growth more, then it ends', () => {
  const cfg = { days: 7, firstDayPerDay: 20, growth: 1.8, newChatsPerDay: 5 }
  const table: Array<[number, boolean, number | null]> = [[0, true, 20], [DAY - 1, true, 20], [DAY, true, 36], [2 * DAY, true, 65], [6 * DAY, true, 680], [7 * DAY, false, null]]
  for (const [after, active, perDay] of table) {
    const w = warmUpAt(cfg, T, T + after)
    assert.equal(w.active, active, `${after / DAY} days`)
    assert.equal(w.perDay, perDay, `${after / DAY} days`)
  }
  assert.equal(warmUpAt(cfg, undefined, T).active, false, 'an unknown link time means no warm-up')
  assert.equal(warmUpAt({ ...cfg, days: 0 }, T, T).active, false, 'days 0 turns it off')
})

test('warm-up lowers the daily limits and first contacts, never raises them, and fills a limit that is off', () => {
  const base: PaceLimits = { ...OFF, perDay: 1500, newChatsPerDay: 3, perMinute: 8 }
  const w = warmUpAt({ days: 7, firstDayPerDay: 20, growth: 1.8, newChatsPerDay: 5 }, T, T)
  assert.deepEqual(limitsInForce(base, w), { ...base, perDay: 20, newChatsPerDay: 3 })
  assert.equal(limitsInForce({ ...base, perDay: 0 }, w).perDay, 20)
  assert.deepEqual(limitsInForce(base, warmUpAt({ days: 0, firstDayPerDay: 20, growth: 1.8, newChatsPerDay: 5 }, T, T)), base)
})

test('typing lasts in proportion to the text, bounded, counted in characters not bytes', () => {
  const table: Array<[string, number]> = [['', 0], ['hello', 150], ['é'.repeat(10), 300], ['👍'.repeat(10), 300], ['x'.repeat(1000), 5000]]
  for (const [text, ms] of table) assert.equal(typingDuration(text, 30, 5000), ms, JSON.stringify(text.slice(0, 12)))
})

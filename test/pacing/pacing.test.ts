// services.pacing over a real SQLite log: what a send is told (at once, a short wait, queued, refused), how
// the outbox takes a queued send's reservation when it is due, and that a new process on the same file
// keeps the day's budget.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Pacing } from '../../src/pacing/pacing.js'
import { PaceLog } from '../../src/pacing/pace-log.js'
import { PACING_DEFAULTS, type Settings } from '../../src/settings/settings.js'

const T = 1_800_000_000_000
const A = 'a@s.whatsapp.net'
const B = 'b@s.whatsapp.net'
const OFF = { pacing_chat_min_gap_ms: 0, pacing_chat_per_minute: 0, pacing_chat_per_hour: 0, pacing_per_minute: 0, pacing_per_day: 0, pacing_new_chats_per_day: 0, pacing_jitter_ms: 0, pacing_max_wait_ms: 0, pacing_warmup_days: 0, typing_presence: false }

function setup(over: Partial<Settings> = {}, dir = mkdtempSync(join(tmpdir(), 'pacing-'))) {
  let settings = { ...PACING_DEFAULTS, ...OFF, ...over } as unknown as Settings
  const presences: string[] = []
  const known = new Set<string>([A, B])
  const log = new PaceLog(join(dir, 'pacing.sqlite'))
  const pacing = new Pacing({ settings: () => settings, log, hasMessages: (j) => known.has(j), presence: async (state, jid) => void presences.push(`${state} ${jid}`), random: () => 0.5 }, T)
  return { pacing, dir, presences, set: (p: Partial<Settings>) => (settings = { ...settings, ...p }), close: () => pacing.close() }
}

interface Row {
  name: string
  settings: Partial<Settings>
  /** ms after T of sends made before, to chat A */
  before: number[]
  wait?: boolean
  queueable?: boolean
  /** ms after T */
  slot: number
  counter: 'immediate' | 'waited' | 'queued' | 'refused' | 'deferred'
}

const rows: Row[] = [
  { name: 'within the limits a send goes at once', settings: { pacing_chat_min_gap_ms: 6000 }, before: [-6000], wait: true, slot: 0, counter: 'immediate' },
  { name: 'a slot within pacing_max_wait_ms is awaited by the call', settings: { pacing_chat_min_gap_ms: 6000, pacing_max_wait_ms: 10_000 }, before: [-1000], wait: true, slot: 5000, counter: 'waited' },
  { name: 'a later slot is queued in queue mode', settings: { pacing_chat_min_gap_ms: 6000, pacing_over_limit: 'queue' }, before: [-1000], wait: true, slot: 5000, counter: 'queued' },
  { name: 'a later slot is refused in refuse mode', settings: { pacing_chat_min_gap_ms: 6000, pacing_over_limit: 'refuse' }, before: [-1000], wait: true, slot: 5000, counter: 'refused' },
  { name: 'a send the outbox cannot take is refused even in queue mode', settings: { pacing_chat_min_gap_ms: 6000, pacing_over_limit: 'queue' }, before: [-1000], wait: true, queueable: false, slot: 5000, counter: 'refused' },
  { name: 'the outbox asking for a later slot gets a reservation whatever the mode', settings: { pacing_chat_min_gap_ms: 6000, pacing_over_limit: 'refuse' }, before: [-1000], slot: 5000, counter: 'deferred' },
  { name: 'pacing off: every send goes at once', settings: { pacing_enabled: false, pacing_chat_min_gap_ms: 6000 }, before: [-1000], wait: true, slot: 0, counter: 'immediate' }
]

for (const r of rows) {
  test(`pacing: ${r.name}`, (t) => {
    const p = setup(r.settings)
    t.after(() => p.close())
    for (const at of r.before) p.pacing.record(A, p.pacing.slot(A, T + at, { wait: true }))
    const slot = p.pacing.slot(A, T, { wait: r.wait, queueable: r.queueable })
    assert.equal(slot - T, r.slot)
    if (r.settings.pacing_enabled !== false) assert.equal(p.pacing.counters[r.counter], r.counter === 'immediate' ? r.before.length + 1 : 1)
  })
}

test('pacing: a queued send takes its own reservation when the outbox asks at its time, and only then', (t) => {
  const p = setup({ pacing_chat_min_gap_ms: 6000, pacing_over_limit: 'queue' })
  t.after(() => p.close())
  assert.equal(p.pacing.slot(A, T, { wait: true }), T)
  p.pacing.record(A, T)
  const q1 = p.pacing.slot(A, T + 10, { wait: true })
  const q2 = p.pacing.slot(A, T + 20, { wait: true })
  assert.deepEqual([q1 - T, q2 - T], [6000, 12000])
  // a direct send queues behind both, never in a queued one's slot
  assert.equal(p.pacing.slot(A, T + 6000, { wait: true }) - T, 18000)
  // the outbox at q1: the reservation is taken, the send goes now
  assert.equal(p.pacing.slot(A, q1), q1)
  assert.equal(p.pacing.counters.from_queue, 1)
  // the send took 500 ms: q2 counts the gap from when it went, and is moved on
  p.pacing.record(A, q1 + 500)
  assert.equal(p.pacing.slot(A, q2), q2 + 500)
  assert.equal(p.pacing.counters.deferred, 1)
  assert.equal(p.pacing.slot(A, q2 + 500), q2 + 500)
  assert.equal(p.pacing.snapshot(q2 + 500).queue.length, 1, 'the direct send still queued')
})

test('pacing: a send still going holds the chat\'s next one back until its answer comes, at most 15 s', (t) => {
  const p = setup({ pacing_chat_min_gap_ms: 1000, pacing_over_limit: 'queue' })
  t.after(() => p.close())
  assert.equal(p.pacing.slot(A, T), T)
  // no answer yet: at T + 3 s it is still going, so the next waits a gap from now
  assert.equal(p.pacing.slot(B, T + 3000), T + 3000, 'another chat is not held')
  assert.equal(p.pacing.slot(A, T + 3000) - T, 4000)
  p.pacing.record(A, T + 3500)
  assert.equal(p.pacing.slot(A, T + 4000) - T, 4500, 'the gap counts from the answer')
  // an answer that never comes (the send failed) stops holding the chat after 15 s
  const C = 'c@s.whatsapp.net'
  assert.equal(p.pacing.slot(C, T), T)
  assert.equal(p.pacing.slot(C, T + 14_000) - T, 15_000)
  assert.equal(p.pacing.slot(C, T + 15_001) - T, 15_001)
})

test('pacing: a restart on the same file keeps the day\'s budget, the first contacts and the link time', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pacing-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const s = { pacing_per_day: 3, pacing_over_limit: 'refuse' as const, pacing_new_chats_per_day: 1 }
  const first = setup(s, dir)
  first.pacing.linked('me@s.whatsapp.net', T - 5000)
  assert.equal(first.pacing.slot('new@s.whatsapp.net', T, { wait: true }), T)
  assert.equal(first.pacing.slot(A, T + 1, { wait: true }), T + 1)
  first.close()
  assert.equal(statSync(join(dir, 'pacing.sqlite')).mode & 0o777, 0o600)
  const again = setup(s, dir)
  t.after(() => again.close())
  again.pacing.linked('me@s.whatsapp.net', T + 60_000)
  const snap = again.pacing.snapshot(T + 2)
  assert.equal(snap.used.per_day, 2)
  assert.equal(snap.used.new_chats_per_day, 1)
  assert.equal(snap.warm_up.linked_at, T - 5000, 'the first link time, not the restart')
  // one more fits the day, then the day is full; a second first contact is over its limit
  assert.ok(again.pacing.slot('other-new@s.whatsapp.net', T + 3, { wait: true }) > T + 3)
  assert.equal(again.pacing.lastHeldBy(), 'new_chats_per_day')
  assert.equal(again.pacing.slot(B, T + 4, { wait: true }), T + 4)
  assert.ok(again.pacing.slot(B, T + 5, { wait: true }) > T + 5)
  assert.equal(again.pacing.lastHeldBy(), 'per_day')
  // the chat it wrote to before the restart is no first contact any more
  assert.equal(again.pacing.slot('new@s.whatsapp.net', T + 86_400_001, { wait: true }), T + 86_400_001)
})

test('pacing: typing lasts in proportion to the text and shows "composing" then "paused"; off, nothing', async (t) => {
  const p = setup({ typing_presence: true, pacing_typing_ms_per_char: 2, pacing_typing_max_ms: 100 })
  t.after(() => p.close())
  assert.equal(p.pacing.typingMs('hello'), 10)
  assert.equal(p.pacing.typingMs('x'.repeat(500)), 100)
  const start = Date.now()
  await p.pacing.type(A, p.pacing.typingMs('hello'))
  assert.ok(Date.now() - start >= 9)
  assert.deepEqual(p.presences, [`composing ${A}`, `paused ${A}`])
  p.set({ typing_presence: false })
  assert.equal(p.pacing.typingMs('hello'), 0)
  p.set({ typing_presence: true, pacing_enabled: false })
  assert.equal(p.pacing.typingMs('hello'), 0, 'pacing off turns typing off too')
})

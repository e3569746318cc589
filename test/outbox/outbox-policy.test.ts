// The outbox's pure decisions, table by table: a due entry's fate, what a failed send does next, and which
// schedule times are taken.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { decideDue, decideFailure, scheduleDueAt, MAX_AHEAD_MS, MAX_ATTEMPTS, PAST_GRACE_MS, RETRY_MAX_MS } from '../../src/outbox/outbox-policy.js'
import type { AppError } from '../../src/errors/app-error.js'

const NOW = 1_800_000_000_000

test('a due entry is missed only when it never started and is later than the setting; otherwise pacing may move it', () => {
  const rows: Array<[string, { dueAt: number; started: boolean }, number, number | undefined, string]> = [
    ['on time', { dueAt: NOW, started: false }, 60_000, undefined, 'send'],
    ['late within the setting', { dueAt: NOW - 59_000, started: false }, 60_000, undefined, 'send'],
    ['late past the setting', { dueAt: NOW - 61_000, started: false }, 60_000, undefined, 'missed'],
    ['late past it, but its send had started before a crash', { dueAt: NOW - 600_000, started: true }, 60_000, undefined, 'send'],
    ['late, the setting 0 (never missed)', { dueAt: NOW - 86_400_000, started: false }, 0, undefined, 'send'],
    ['pacing gives now', { dueAt: NOW, started: false }, 60_000, NOW, 'send'],
    ['pacing gives later', { dueAt: NOW, started: false }, 60_000, NOW + 5_000, 'later'],
    ['missed wins over pacing', { dueAt: NOW - 61_000, started: false }, 60_000, NOW + 5_000, 'missed']
  ]
  for (const [what, e, missedAfter, slot, want] of rows) {
    let asked = false
    const d = decideDue(e, NOW, missedAfter, e.started, () => ((asked = true), slot))
    assert.equal(d.action, want, what)
    if (d.action === 'later') assert.equal(d.dueAt, slot, what)
    if (want === 'missed') assert.equal(asked, false, `${what}: pacing not asked (asking reserves a slot)`)
  }
})

test('after a failed send: WhatsApp not ready waits, a retryable error backs off, anything else or too many tries fails', () => {
  assert.deepEqual(decideFailure('WA_NOT_READY', 3, NOW), { action: 'wait_ready' })
  assert.deepEqual(decideFailure('WA_NOT_LINKED', 1, NOW), { action: 'wait_ready' })
  assert.deepEqual(decideFailure('TIMEOUT', 1, NOW), { action: 'retry', dueAt: NOW + 2_000 })
  assert.deepEqual(decideFailure('WA_SEND_FAILED', 3, NOW), { action: 'retry', dueAt: NOW + 8_000 })
  assert.deepEqual(decideFailure('TIMEOUT', MAX_ATTEMPTS - 1, NOW), { action: 'retry', dueAt: NOW + RETRY_MAX_MS })
  assert.deepEqual(decideFailure('TIMEOUT', MAX_ATTEMPTS, NOW), { action: 'fail' })
  assert.deepEqual(decideFailure('WA_NOT_ON_WHATSAPP', 1, NOW), { action: 'fail' })
  assert.deepEqual(decideFailure('INTERNAL', 1, NOW), { action: 'fail' })
})

test('a schedule takes exactly one of send_at and delay_seconds, not far in the past nor beyond 366 days', () => {
  const ok: Array<[string, number | undefined, number | undefined, number]> = [
    ['in an hour', NOW + 3_600_000, undefined, NOW + 3_600_000],
    ['just past, within the grace: now', NOW - PAST_GRACE_MS + 1, undefined, NOW],
    ['the last day ahead', NOW + MAX_AHEAD_MS, undefined, NOW + MAX_AHEAD_MS],
    ['a delay', undefined, 90, NOW + 90_000],
    ['no delay', undefined, 0, NOW]
  ]
  for (const [what, at, delay, want] of ok) assert.equal(scheduleDueAt(at, delay, NOW), want, what)
  const bad: Array<[string, number | undefined, number | undefined, RegExp]> = [
    ['neither', undefined, undefined, /exactly one/],
    ['both', NOW + 1000, 5, /exactly one/],
    ['past the grace', NOW - PAST_GRACE_MS - 1, undefined, /in the past/],
    ['beyond 366 days', NOW + MAX_AHEAD_MS + 1, undefined, /366 days/],
    ['a delay beyond 366 days', undefined, MAX_AHEAD_MS / 1000 + 1, /366 days/],
    ['a negative delay', undefined, -1, /0 or more/]
  ]
  for (const [what, at, delay, message] of bad) assert.throws(() => scheduleDueAt(at, delay, NOW), (e: AppError) => e.code === 'INVALID_INPUT' && message.test(e.message), what)
})

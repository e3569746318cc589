// The retry schedule as a pure function: doubling with equal jitter under a cap, 2xx delivered, 410
// disables, and giving up after the attempts or the age allowed.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { backoffMs, decide, type RetryPolicy } from '../../src/webhooks/retry-policy.js'

const P: RetryPolicy = { maxAttempts: 5, maxAgeMs: 3_600_000, baseMs: 1000, capMs: 8000 }

test('the wait doubles from the base, stays under the cap, and its jitter spans the upper half', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => backoffMs(P, n, 0.999999)), [1000, 2000, 4000, 8000, 8000, 8000])
  assert.deepEqual([1, 2, 3, 4].map((n) => backoffMs(P, n, 0)), [500, 1000, 2000, 4000])
  assert.equal(backoffMs(P, 1000, 0.5), 6000, 'a huge attempt count does not overflow')
})

test('outcomes: 2xx is delivered, 410 disables, others retry until the attempts or the age run out', () => {
  const rows: Array<[string, Parameters<typeof decide>[1], number, number, string]> = [
    ['200', { status: 200 }, 1, 0, 'delivered'],
    ['204', { status: 204 }, 3, 0, 'delivered'],
    ['299', { status: 299 }, 1, 0, 'delivered'],
    ['500', { status: 500 }, 1, 0, 'retry'],
    ['429', { status: 429 }, 1, 0, 'retry'],
    ['404', { status: 404 }, 1, 0, 'retry'],
    ['a redirect is not followed', { status: 302 }, 1, 0, 'retry'],
    ['no answer', { error: 'could not reach h (ECONNREFUSED)' }, 1, 0, 'retry'],
    ['410 Gone', { status: 410 }, 1, 0, 'disable'],
    ['the last attempt', { status: 500 }, 5, 0, 'dead'],
    ['too old for another', { status: 500 }, 2, -3_599_000, 'dead']
  ]
  for (const [what, outcome, attempts, createdAt, want] of rows) {
    const d = decide(P, outcome, attempts, createdAt, 0, 0.5)
    assert.equal(d.action, want, what)
    if (d.action === 'retry') assert.equal(d.at, backoffMs(P, attempts, 0.5), what)
    if (d.action === 'dead' || d.action === 'disable') assert.ok(d.reason.length > 0)
  }
})

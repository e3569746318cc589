// The sign-in throttle's policy, as a function of state and time (the HTTP behaviour is in admin-auth.test).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BASE_LOCK_MS, FORGET_MS, FREE_FAILURES, GLOBAL_FREE_FAILURES, MAX_LOCK_MS, MAX_TRACKED, newThrottleState, recordFailure, recordSuccess, waitMs } from '../../src/http/sign-in-throttle.js'

test('an address is locked after FREE_FAILURES wrong tokens, for a time that doubles and is capped', () => {
  const s = newThrottleState()
  const t = 1_000_000
  for (let i = 1; i < FREE_FAILURES; i++) {
    recordFailure(s, 'a', t)
    assert.equal(waitMs(s, 'a', t), 0, `failure ${i}`)
  }
  const locks: number[] = []
  for (let i = 0; i < 14; i++) {
    recordFailure(s, 'a', t)
    locks.push(waitMs(s, 'a', t))
  }
  assert.deepEqual(locks.slice(0, 4), [BASE_LOCK_MS, 2 * BASE_LOCK_MS, 4 * BASE_LOCK_MS, 8 * BASE_LOCK_MS])
  assert.equal(locks.at(-1), MAX_LOCK_MS)
  assert.equal(waitMs(s, 'b', t), 0, 'another address is free')
  assert.equal(waitMs(s, 'a', t + MAX_LOCK_MS), 0, 'the lock ends')
})

test('a success clears the address; failures are forgotten after FORGET_MS', () => {
  const s = newThrottleState()
  for (let i = 0; i < FREE_FAILURES - 1; i++) recordFailure(s, 'a', 0)
  recordSuccess(s, 'a')
  recordFailure(s, 'a', 1)
  assert.equal(waitMs(s, 'a', 1), 0)
  for (let i = 0; i < FREE_FAILURES - 2; i++) recordFailure(s, 'a', 2)
  recordFailure(s, 'a', 2 + FORGET_MS)
  assert.equal(waitMs(s, 'a', 2 + FORGET_MS), 0, 'the old failures no longer count')
})

test('failures from many addresses lock everyone once the global budget is spent; a quiet minute resets it', () => {
  const s = newThrottleState()
  for (let i = 0; i < GLOBAL_FREE_FAILURES - 1; i++) recordFailure(s, `10.0.${i >> 8}.${i & 255}`, 0)
  assert.equal(waitMs(s, 'fresh', 0), 0)
  recordFailure(s, 'last', 0)
  assert.equal(waitMs(s, 'fresh', 0), BASE_LOCK_MS)
  assert.equal(waitMs(s, 'fresh', 120_000), 0)
  recordFailure(s, 'x', 120_000)
  assert.equal(waitMs(s, 'fresh', 120_000), 0, 'a new window starts from nothing')
})

test('memory stays bounded: past MAX_TRACKED addresses the least recent is forgotten', () => {
  const s = newThrottleState()
  for (let i = 0; i <= MAX_TRACKED; i++) recordFailure(s, `a${i}`, i * 1000)
  assert.equal(s.addresses.size, MAX_TRACKED)
  assert.equal(s.addresses.has('a0'), false)
})

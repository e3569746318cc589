// The replay log's bounds: time, one session's bytes, the process's bytes; and which events a resume gets.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ReplayBudget, ReplayLog, parseEventId } from '../../src/mcp/replay-log.js'

test('events older than the time bound are forgotten', () => {
  const log = new ReplayLog(new ReplayBudget(), 1000, 1 << 20)
  log.add(1, 1, 'a', false, 0)
  log.add(1, 2, 'b', true, 900)
  assert.deepEqual(log.after(1, 0, 950).map((e) => e.text), ['a', 'b'])
  assert.deepEqual(log.after(1, 0, 1500).map((e) => e.text), ['b'])
  assert.equal(log.has(1, 2000), false)
})

test('one session keeps at most its share, oldest out first; the process budget is shared and given back', () => {
  const budget = new ReplayBudget(25)
  const a = new ReplayLog(budget, 60_000, 10)
  const b = new ReplayLog(budget, 60_000, 20)
  for (let i = 1; i <= 4; i++) a.add(1, i, '1234', false, 0)
  assert.deepEqual(a.after(1, 0, 0).map((e) => e.seq), [3, 4], 'two of 4 bytes fit in 10')
  assert.equal(budget.used, 8)
  b.add(2, 1, 'x'.repeat(15), true, 0)
  assert.equal(budget.used, 23)
  // past the process budget an event is handed back but not kept
  const e = b.add(2, 2, '12345', true, 0)
  assert.equal(e.seq, 2)
  assert.equal(b.size, 1)
  // larger than a session's share: never kept
  a.add(1, 9, 'x'.repeat(11), true, 0)
  assert.equal(a.size, 2)
  a.clear()
  b.clear()
  assert.equal(budget.used, 0)
})

test('a resume gets the events of its stream after its id, minus those another stream carried', () => {
  const log = new ReplayLog(new ReplayBudget())
  log.add(1, 1, 'p', false)
  log.add(2, 2, 'other', true)
  const r = log.add(1, 3, 'r', true)
  assert.deepEqual(log.after(1, 0).map((e) => e.text), ['p', 'r'])
  assert.deepEqual(log.after(1, 1).map((e) => e.text), ['r'])
  assert.deepEqual(log.undelivered().map((e) => e.text), ['other', 'r'])
  r.delivered = r.elsewhere = true
  assert.deepEqual(log.after(1, 1), [])
  assert.deepEqual(log.undelivered().map((e) => e.text), ['other'])
})

test('Last-Event-ID: only the ids this server writes are understood', () => {
  const table: Array<[string | undefined, unknown]> = [
    ['3-0', { stream: 3, seq: 0 }],
    [' 12-345 ', { stream: 12, seq: 345 }],
    [undefined, undefined],
    ['', undefined],
    ['3', undefined],
    ['-1', undefined],
    ['a-1', undefined],
    ['1-2-3', undefined],
    ['1e3-1', undefined],
    ['9999999999-1', undefined]
  ]
  for (const [id, want] of table) assert.deepEqual(parseEventId(id), want, String(id))
})

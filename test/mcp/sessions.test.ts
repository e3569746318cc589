// The session registry's order of use: past the cap the least recently used idle session goes, whether a
// session was asked for once or on every call of a long run.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { pino } from 'pino'
import { SessionRegistry } from '../../src/mcp/sessions.js'

const registry = (max: number) => new SessionRegistry({ ttlMs: 60_000, max, maxBytes: 1 << 20 }, pino({ level: 'silent' }))
const open = (r: SessionRegistry) => r.create('2025-11-25', { name: 't' }, {})

test('past the cap the least recently used session goes, however often the others were used', () => {
  const r = registry(2)
  const a = open(r)
  const b = open(r)
  // a used once after b was made: b is now the least recently used
  assert.equal(r.get(a.id), a)
  const c = open(r)
  assert.equal(r.get(b.id), undefined, 'b, the least recently used, went')
  // c used again and again while it is the newest, then a once: a is now the newer of the two
  for (let i = 0; i < 3; i++) assert.equal(r.get(c.id), c)
  assert.equal(r.get(a.id), a)
  open(r)
  assert.equal(r.get(c.id), undefined, 'c, used before a, went')
  assert.ok(r.get(a.id))
  r.closeAll()
})

test('a session used, then a newer one made, is the older of the two', () => {
  const r = registry(2)
  const a = open(r)
  assert.equal(r.get(a.id), a)
  const b = open(r)
  // a again: it is no longer the newest, so it moves behind b
  assert.equal(r.get(a.id), a)
  open(r)
  assert.equal(r.get(b.id), undefined, 'b went')
  assert.equal(r.get(a.id), a)
  r.closeAll()
})

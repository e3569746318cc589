// The admin session store with a clock of its own (the HTTP behaviour is in admin-auth.test).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { AdminSessions, MAX_ADMIN_SESSIONS } from '../../src/http/admin-sessions.js'

test('ids are random, expire, can be revoked, and at most MAX_ADMIN_SESSIONS live at once', () => {
  let now = 0
  const s = new AdminSessions(1000, () => now)
  const ids = Array.from({ length: MAX_ADMIN_SESSIONS + 1 }, () => s.create())
  assert.equal(new Set(ids).size, ids.length)
  assert.equal(s.size, MAX_ADMIN_SESSIONS)
  assert.equal(s.valid(ids[0]), false, 'the oldest went')
  assert.equal(s.valid(ids[1]), true)
  s.revoke(ids[1])
  assert.equal(s.valid(ids[1]), false)
  for (const bad of [undefined, '', 'x', ids[2]!.slice(1), `${ids[2]}=`, ids[2]!.replace(/./, '!')]) assert.equal(s.valid(bad), false, String(bad))
  now = 999
  assert.equal(s.valid(ids[2]), true)
  now = 1000
  assert.equal(s.valid(ids[2]), false, 'expired')
})

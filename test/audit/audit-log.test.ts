// The audit trail's file: records in order across a reopen, filters and paging, retention by an injected
// clock, and the append-only rule held by the file itself.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { AuditLog } from '../../src/audit/audit-log.js'
import type { AuditEntry } from '../../src/audit/audit-policy.js'

const DAY = 86_400_000
const path = (): string => join(mkdtempSync(join(tmpdir(), 'audit-log-')), 'audit.sqlite')

const entry = (over: Partial<AuditEntry> = {}): AuditEntry => ({ at: Date.now(), kind: 'tool', credential: 'agent', credential_kind: 'credential', client: 'c', tool: 'list_chats', chats: [], message_ids: [], outcome: 'ok', code: null, duration_ms: 1, details: {}, ...over })

test('a durable record is on disk when append returns; reads are written within the flush delay', async () => {
  const p = path()
  const log = new AuditLog(p, { flushMs: 30, retentionDays: 90 })
  const other = new Database(p, { readonly: true })
  const count = (): number => other.prepare('SELECT count(*) FROM audit').pluck().get() as number
  log.append(entry({ tool: 'list_chats' }), false)
  assert.equal(count(), 0, 'a read waits for the batch')
  log.append(entry({ tool: 'send_message' }), true)
  assert.equal(count(), 2, 'a change is written with everything before it')
  log.append(entry({ tool: 'search_messages' }), false)
  await new Promise((r) => setTimeout(r, 80))
  assert.equal(count(), 3, 'the batch went out on its timer')
  assert.deepEqual(other.prepare('SELECT tool FROM audit ORDER BY id').pluck().all(), ['list_chats', 'send_message', 'search_messages'])
  other.close()
  log.close()
  assert.equal(statSync(p).mode & 0o777, 0o600)
})

test('records survive a reopen; pages go newest first by cursor and filter by tool, chat, credential and code', () => {
  const p = path()
  const now = (): number => 1_000_100
  let log = new AuditLog(p, { flushMs: 1000, retentionDays: 90, now })
  for (let i = 0; i < 25; i++) log.append(entry({ at: 1_000_000 + i, tool: i % 2 ? 'send_message' : 'list_messages', chats: i % 5 === 0 ? ['a@g.us', 'b@g.us'] : ['c@g.us'], credential: i < 10 ? 'one' : 'two', outcome: i === 7 ? 'error' : 'ok', code: i === 7 ? 'CHAT_NOT_FOUND' : null }), false)
  log.close()
  log = new AuditLog(p, { flushMs: 1000, retentionDays: 90, now })
  const first = log.query({ limit: 10 })
  assert.deepEqual(first.map((r) => r.id), [25, 24, 23, 22, 21, 20, 19, 18, 17, 16])
  const second = log.query({ limit: 10, before: first.at(-1)!.id })
  assert.equal(second[0]!.id, 15)
  assert.equal(log.query({ limit: 100, tool: 'send_message' }).length, 12)
  assert.deepEqual(log.query({ limit: 100, chat: 'a@g.us' }).map((r) => r.at - 1_000_000), [20, 15, 10, 5, 0])
  assert.deepEqual(log.query({ limit: 100, chat: 'b@g.us' }).map((r) => r.at - 1_000_000), [20, 15, 10, 5, 0], 'a second chat is found as well')
  assert.equal(log.query({ limit: 100, credential: 'one' }).length, 10)
  assert.deepEqual(log.query({ limit: 100, code: 'CHAT_NOT_FOUND' }).map((r) => r.id), [8])
  assert.equal(log.query({ limit: 100, code: 'ok' }).length, 24)
  assert.deepEqual(log.query({ limit: 100, since: 1_000_020, until: 1_000_022 }).map((r) => r.at - 1_000_000), [21, 20])
  assert.deepEqual(log.query({ limit: 3, after: 0 }).map((r) => r.id), [1, 2, 3], 'the export reads oldest first')
  assert.deepEqual(first[4]!.chats, ['a@g.us', 'b@g.us'], 'id 21 is call 20')
  log.close()
})

test('retention removes rows older than its days, at open and on prune, and nothing younger', () => {
  const p = path()
  let now = 100 * DAY
  const log = new AuditLog(p, { flushMs: 1000, retentionDays: 90, now: () => now })
  log.append(entry({ at: 5 * DAY, chats: ['old@g.us'] }), true)
  log.append(entry({ at: 50 * DAY }), true)
  log.append(entry({ at: 99 * DAY }), true)
  assert.equal(log.prune(), 1, 'the row from day 5 is past 90 days on day 100')
  assert.deepEqual(log.query({ limit: 10 }).map((r) => r.at / DAY), [99, 50])
  assert.deepEqual(log.query({ limit: 10, chat: 'old@g.us' }), [], 'its chat index went with it')
  now = 150 * DAY
  assert.equal(log.prune(), 1)
  assert.deepEqual(log.query({ limit: 10 }).map((r) => r.at / DAY), [99])
  log.close()
})

test('the file refuses updates, and deletes of rows the retention keeps, whoever opens it', () => {
  const p = path()
  const log = new AuditLog(p, { flushMs: 1000, retentionDays: 90, now: () => 100 * DAY })
  log.append(entry({ at: 99 * DAY }), true)
  log.close()
  const db = new Database(p)
  const tries: Array<[string, string]> = [
    ['update a row', "UPDATE audit SET credential = 'someone else'"],
    ['delete a young row', 'DELETE FROM audit'],
    ['move the horizon back', 'UPDATE horizon SET cutoff = 0']
  ]
  for (const [what, sql] of tries) assert.throws(() => db.exec(sql), /append-only|retention only|only moves forward/, what)
  assert.equal(db.prepare('SELECT credential FROM audit').pluck().get(), 'agent')
  db.close()
})

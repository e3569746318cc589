// The store's row counts, as /api/status and /metrics report them.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openWriter, openReader } from '../../src/store/open-db.js'
import { applyBatch } from '../../src/store/apply-batch.js'
import { ChatsRepo } from '../../src/store/chats-repo.js'

const A = '15550002222@s.whatsapp.net'

test('store counts are 0 on an empty store and count messages (not the highest seq) after writes and deletes', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'store-')), 'store.sqlite')
  const w = openWriter(path)
  const repo = new ChatsRepo(openReader(path))
  assert.deepEqual(repo.counts(), { chats: 0, messages: 0, contacts: 0, groups: 0 })
  applyBatch(w, {
    contacts: [{ jid: A, name: 'Alice' }],
    messages: [1, 2, 3, 4].map((i) => ({ chatJid: A, id: `M${i}`, fromMe: false, senderJid: A, timestamp: i * 1000, type: 'text', body: `m${i}` }))
  })
  assert.equal(repo.counts().messages, 4)
  // a gap in seq (a row gone, as a merge or a cleanup leaves) must not be counted
  w.prepare("DELETE FROM messages WHERE id IN ('M1', 'M2')").run()
  const c = repo.counts()
  assert.equal(c.messages, 2)
  assert.equal(c.chats, 1)
  assert.equal(c.contacts, 1)
  // asked again with no write in between: the same answer
  assert.deepEqual(repo.counts(), c)
})

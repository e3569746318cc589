import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openWriter, openReader } from '../../src/store/open-db.js'
import { applyBatch } from '../../src/store/apply-batch.js'
import { MessagesRepo } from '../../src/store/messages-repo.js'
import type { MessageRecord } from '../../src/store/batch.js'

const A = '15550002222@s.whatsapp.net'
const msg = (id: string, body: string, ts: number): MessageRecord => ({ chatJid: A, id, fromMe: false, senderJid: A, timestamp: ts, type: 'text', body })

test('the bulk-filled full-text index stays exact through edits, deletes and reused rowids, in one batch or across them', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'fts-')), 'store.sqlite')
  const w = openWriter(path)
  const repo = new MessagesRepo(openReader(path))
  const found = (q: string) => repo.search({ query: q, limit: 50 }).messages.map((m) => m.id).sort()
  const check = () => w.prepare(`INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)`).run()

  // new, then edited in the same batch: only the final text is findable
  applyBatch(w, { messages: [msg('M1', 'apples and pears', 1000), msg('M2', 'plums', 2000)], messageUpdates: [{ chatJid: A, id: 'M1', editedBody: 'oranges', editedAt: 1500 }] })
  check()
  assert.deepEqual(found('apples'), [])
  assert.deepEqual(found('oranges'), ['M1'])
  // an edit of an indexed message, a message delivered twice, a revoke
  applyBatch(w, { messages: [msg('M2', 'plums', 2000), msg('M3', 'cherries', 3000)], messageUpdates: [{ chatJid: A, id: 'M2', editedBody: 'grapes', editedAt: 2500 }] })
  check()
  assert.deepEqual(found('plums'), [])
  assert.deepEqual(found('grapes'), ['M2'])
  assert.deepEqual(found('cherries'), ['M3'])
  // the newest message deleted: its rowid is reused by the next insert, which must still be indexed
  applyBatch(w, { deletes: [{ chatJid: A, ids: ['M3'] }] })
  applyBatch(w, { messages: [msg('M4', 'bananas', 4000)] })
  check()
  assert.deepEqual(found('cherries'), [])
  assert.deepEqual(found('bananas'), ['M4'])
  // inserted and deleted within one batch
  applyBatch(w, { messages: [msg('M5', 'kiwis', 5000)], deletes: [{ chatJid: A, ids: ['M5'] }] })
  check()
  assert.deepEqual(found('kiwis'), [])
  // clearing a chat removes everything it had from the index
  applyBatch(w, { deletes: [{ chatJid: A }] })
  check()
  assert.deepEqual(found('oranges'), [])
})

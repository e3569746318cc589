// The store's row counts, as /api/status and /metrics report them.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openWriter, openReader } from '../../src/store/open-db.js'
import { applyBatch, applyBatches } from '../../src/store/apply-batch.js'
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
  // a gap in seq (rows gone, as a delete or a merge leaves) must not be counted
  applyBatch(w, { deletes: [{ chatJid: A, ids: ['M1', 'M2', 'NOT-THERE'] }] })
  const c = repo.counts()
  assert.equal(c.messages, 2)
  assert.equal(c.chats, 1)
  assert.equal(c.contacts, 1)
  // asked again with no write in between: the same answer
  assert.deepEqual(repo.counts(), c)
})

test('the message count the writer keeps is the count of rows, through inserts, repeats, deletes, a cleared chat, a LID merge and a failed write', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'store-')), 'store.sqlite')
  const w = openWriter(path)
  const repo = new ChatsRepo(openReader(path))
  const rows = (): number => (w.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n
  const LID = '123456789012345@lid'
  const B = '15550003333@s.whatsapp.net'
  const msg = (chatJid: string, id: string) => ({ chatJid, id, fromMe: false, senderJid: chatJid, timestamp: Date.now(), type: 'text' as const, body: id })
  const steps: Array<[string, () => void]> = [
    ['new messages in two chats', () => applyBatch(w, { messages: [msg(A, 'X1'), msg(A, 'X2'), msg(B, 'Y1'), msg(LID, 'L1'), msg(LID, 'X1')] })],
    ['the same messages again', () => applyBatch(w, { messages: [msg(A, 'X1'), msg(B, 'Y1')] })],
    // the LID chat holds X1 too: after the move one copy is left, the other is dropped
    ['a LID learnt to be A', () => applyBatch(w, { lidMappings: [{ lid: LID, pn: A }] })],
    ['a delete of one and of one unknown', () => applyBatch(w, { deletes: [{ chatJid: A, ids: ['X2', 'NONE'] }] })],
    ['a cleared chat', () => applyBatch(w, { deletes: [{ chatJid: B }] })],
    ['several batches in one write', () => applyBatches(w, [{ messages: [msg(B, 'Z1')] }, { messages: [msg(B, 'Z2')] }, { deletes: [{ chatJid: B, ids: ['Z1'] }] }])]
  ]
  for (const [what, step] of steps) {
    step()
    assert.equal(repo.counts().messages, rows(), what)
  }
  // a write that fails half way is rolled back whole: its messages are not counted either
  const before = repo.counts().messages
  assert.throws(() => applyBatches(w, [{ messages: [msg(B, 'F1')] }, { messages: [{ ...msg(B, 'F2'), timestamp: null as unknown as number }] }]))
  assert.equal(rows(), before)
  applyBatch(w, { messages: [msg(B, 'F3')] })
  assert.equal(repo.counts().messages, rows(), 'the next write after a failed one')
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openWriter } from '../../src/store/open-db.js'
import { applyBatch } from '../../src/store/apply-batch.js'
import { BatchCoalescer, canMerge, withoutNameEchoes } from '../../src/store/batch-merge.js'
import type { StoreBatch } from '../../src/store/batch.js'

const A = '15550002222@s.whatsapp.net'
const LID = '200000000000001@lid'

const dump = (path: string) => {
  const db = openWriter(path)
  const out = ['messages', 'chats', 'contacts', 'reactions', 'receipts', 'poll_votes', 'lid_map'].map((t) => db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all().map((r) => JSON.stringify(r, (k, v: unknown) => (k === 'updated_at' || k === 'seq' ? undefined : v))))
  db.close()
  return out
}

test('live batches merged into one give the store applying them one by one gives', () => {
  const live: StoreBatch[] = [
    { messages: [{ chatJid: LID, id: 'M1', fromMe: false, senderJid: LID, pushName: 'Al', timestamp: 1000, type: 'text', body: 'one' }], chats: [{ jid: LID, unreadIncrement: 1, lastMessageAt: 1000 }] },
    { lidMappings: [{ lid: LID, pn: A }] },
    { messages: [{ chatJid: A, id: 'M2', fromMe: false, senderJid: A, timestamp: 2000, type: 'text', body: 'two' }], chats: [{ jid: A, unreadIncrement: 1, lastMessageAt: 2000 }], contacts: [{ jid: A, notify: 'Alice' }] },
    { reactions: [{ chatJid: A, messageId: 'M1', senderJid: A, emoji: '👍', timestamp: 2100 }] },
    { messageUpdates: [{ chatJid: A, id: 'M2', editedBody: 'two, edited', editedAt: 2200 }], receipts: [{ chatJid: A, messageId: 'M2', userJid: A, type: 'read', timestamp: 2300 }] },
    { chats: [{ jid: A, unreadCount: 0 }] },
    { reactions: [{ chatJid: A, messageId: 'M1', senderJid: A, emoji: '', timestamp: 2400 }], pollVotes: [{ chatJid: A, pollMessageId: 'M2', voterJid: A, selected: ['x'], timestamp: 2500 }] }
  ]
  assert.ok(live.every(canMerge))
  assert.equal(canMerge({ deletes: [{ chatJid: A }] }), false)
  assert.equal(canMerge({ chats: [{ jid: A }], groups: [], participants: [] }), true, 'empty lists say nothing')
  assert.equal(canMerge({ historySync: { syncType: 'RECENT', progress: 1, chunkOrder: 1, messages: 1 } as never }), false)
  const one = join(mkdtempSync(join(tmpdir(), 'merge-')), 'a.sqlite')
  const merged = join(mkdtempSync(join(tmpdir(), 'merge-')), 'b.sqlite')
  const w1 = openWriter(one)
  for (const b of live) applyBatch(w1, b)
  w1.close()
  const w2 = openWriter(merged)
  const c = new BatchCoalescer(1000)
  const sent = [...live.flatMap((b) => c.add(b)), ...c.drain()]
  assert.ok(sent.length < live.length, `${live.length} batches went as ${sent.length}`)
  for (const b of sent) applyBatch(w2, b)
  w2.close()
  assert.deepEqual(dump(merged), dump(one))
  assert.equal(live[0]!.messages!.length, 1, 'the inputs are not changed')
  // what cannot merge goes alone and in order
  const d = new BatchCoalescer(2)
  assert.deepEqual(d.add(live[0]!), [])
  const out = d.add({ deletes: [{ chatJid: A }] })
  assert.equal(out.length, 2)
  assert.ok(out[1]!.deletes)
  assert.equal(d.add(live[2]!).length, 0)
  assert.equal(d.add(live[0]!).length, 1, 'a full batch goes at once')
})

test('the contact update echoing a message\'s push name is dropped, and live messages then travel together', () => {
  const B = '15550003333@s.whatsapp.net'
  // what Baileys emits per incoming message: the message, then a contact update with its push name
  const flushes = [1, 2, 3].map((n) => ({
    messages: { messages: [{ chatJid: A, id: `E${n}`, fromMe: false, senderJid: A, senderJidAlt: LID, pushName: `Al ${n}`, timestamp: 1000 * n, type: 'text', body: `m${n}` }], chats: [{ jid: A, lastMessageAt: 1000 * n }] } as StoreBatch,
    contacts: [{ jid: n === 2 ? LID : A, notify: `Al ${n}` }, ...(n === 3 ? [{ jid: B, notify: 'Bo' }, { jid: A, notify: 'Al 3', imgUrl: 'https://pps.example/a.jpg' }] : [])]
  }))
  const kept = flushes.map((f) => withoutNameEchoes(f.contacts, f.messages.messages!))
  assert.deepEqual(kept[0], [], 'an echo of the sender is dropped')
  assert.deepEqual(kept[1], [], 'an echo under the sender\'s other JID is dropped')
  assert.deepEqual(kept[2]!.map((c) => c.jid), [B, A], 'a name no message carries, and an update with more than the name, stay')
  assert.deepEqual(withoutNameEchoes([{ jid: A, notify: 'Other' }], flushes[0]!.messages.messages!), [{ jid: A, notify: 'Other' }], 'a different name stays')

  const one = join(mkdtempSync(join(tmpdir(), 'merge-')), 'a.sqlite')
  const merged = join(mkdtempSync(join(tmpdir(), 'merge-')), 'b.sqlite')
  const w1 = openWriter(one)
  for (const f of flushes) {
    applyBatch(w1, f.messages)
    applyBatch(w1, { contacts: f.contacts })
  }
  w1.close()
  const c = new BatchCoalescer(1000)
  const sent = [...flushes.flatMap((f, i) => [...c.add(f.messages), ...(kept[i]!.length ? c.add({ contacts: kept[i]! }) : [])]), ...c.drain()]
  assert.equal(sent.length, 2, 'two flushes merge whole; the third\'s real contact update closes the batch and goes with what follows')
  const w2 = openWriter(merged)
  for (const b of sent) applyBatch(w2, b)
  w2.close()
  assert.deepEqual(dump(merged), dump(one))
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openWriter, openReader } from '../../src/store/open-db.js'
import { applyBatch } from '../../src/store/apply-batch.js'
import { MessagesRepo } from '../../src/store/messages-repo.js'
import { toMessage } from '../../src/mcp/schemas.js'

const A = '15550002222@s.whatsapp.net'
const B = '15550003333@s.whatsapp.net'
const G = '120363000000000001@g.us'

test('a page built as JSON by SQLite is exactly the page the row path builds, for every kind of message', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'store-')), 'store.sqlite')
  const w = openWriter(path)
  const repo = new MessagesRepo(openReader(path))
  applyBatch(w, { contacts: [{ jid: A, name: 'Alice Book' }, { jid: B, notify: 'bobby' }] })
  applyBatch(w, {
    chats: [{ jid: G, name: 'Club', isGroup: true }],
    messages: [
      { chatJid: G, id: 'M1', fromMe: false, senderJid: A, pushName: 'alice push', timestamp: 1000, type: 'text', body: 'café "quoted" \\ \n line' },
      { chatJid: G, id: 'M2', fromMe: true, timestamp: 2000, type: 'text', body: 'mine', quotedId: 'M1', quotedSenderJid: A, mentions: [A, B] },
      { chatJid: G, id: 'M3', fromMe: false, senderJid: B, pushName: 'Bob P', timestamp: 3000, type: 'image', body: 'a caption 🎉', media: { mimetype: 'image/jpeg', fileLength: 1234, width: 10, height: 20 } },
      { chatJid: G, id: 'M4', fromMe: false, senderJid: '19998887777@s.whatsapp.net', pushName: 'Stranger', timestamp: 4000, type: 'poll', body: 'Lunch?' },
      { chatJid: G, id: 'M5', fromMe: false, pushName: 'no sender', timestamp: 5000, type: 'text', body: 'to be revoked' },
      { chatJid: G, id: 'M6', fromMe: false, senderJid: A, timestamp: 6000, type: 'text', body: 'to be edited', status: 3 },
      { chatJid: G, id: 'M7', fromMe: false, senderJid: A, timestamp: 6500, type: 'contact', body: 'BEGIN:VCARD\nVERSION:3.0\nFN:Ada L\nTEL;type=CELL;waid=15550009999:+1 555 000 9999\nEND:VCARD' }
    ],
    reactions: [
      { chatJid: G, messageId: 'M1', senderJid: B, emoji: '❤️', timestamp: 7000 },
      { chatJid: G, messageId: 'M1', senderJid: A, emoji: '👍', timestamp: 7001 }
    ],
    pollVotes: [{ chatJid: G, pollMessageId: 'M4', voterJid: A, selected: ['Pizza', 'Sushi'], timestamp: 7002 }],
    messageUpdates: [
      { chatJid: G, id: 'M5', revoked: true },
      { chatJid: G, id: 'M6', editedBody: 'edited', editedAt: 8000 }
    ]
  })
  for (const q of [{ limit: 50 }, { limit: 2 }, { limit: 3, before: 5000 }, { limit: 10, after: 2000 }]) {
    const rows = repo.list({ chatJid: G, ...q })
    const json = repo.listJson({ chatJid: G, ...q })
    assert.equal(json.json, JSON.stringify(rows.messages.map(toMessage)), JSON.stringify(q))
    assert.equal(json.next_cursor, rows.next_cursor)
    if (rows.next_cursor) assert.equal(repo.listJson({ chatJid: G, ...q, cursor: rows.next_cursor }).json, JSON.stringify(repo.list({ chatJid: G, ...q, cursor: rows.next_cursor }).messages.map(toMessage)))
  }
  assert.equal(repo.listJson({ chatJid: B, limit: 5 }).json, '[]')
  // empty fields are left out, not written as null, false or []
  const all = JSON.parse(repo.listJson({ chatJid: G, limit: 50 }).json) as Array<Record<string, unknown>>
  assert.equal(JSON.stringify(all).match(/null|(?<!"from_me":)false|:\[\]/), null, 'no null values, false flags (but from_me) or empty lists')
  const byId = new Map(all.map((m) => [m.id, m]))
  assert.deepEqual(Object.keys(byId.get('M5')!), ['message_id', 'id', 'chat_jid', 'from_me', 'sender_name', 'timestamp', 'type', 'status', 'revoked'], 'a deleted message keeps no body')
  assert.equal(byId.get('M6')!.edited, true)
  assert.equal((byId.get('M1')!.reactions as unknown[]).length, 2)
  assert.equal(byId.get('M2')!.sender_jid, undefined)
  assert.deepEqual(byId.get('M4')!.poll_votes, [{ voter_jid: A, selected: ['Pizza', 'Sushi'] }])
})

test('a bare message id (no chat) is found without an index on the id: the newest of two chats wins, a LID merge keeps it findable', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'bare-')), 's.sqlite')
  const w = openWriter(path)
  assert.equal((w.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'messages_id'").get() as { n: number }).n, 0, 'no index on the id alone')
  const LID = '200000000000009@lid'
  applyBatch(w, {
    messages: [
      ...Array.from({ length: 5 }, (_, i) => ({ chatJid: A, id: `A${i}`, fromMe: false, senderJid: A, timestamp: 100 + i, type: 'text' as const, body: `a${i}` })),
      { chatJid: A, id: 'SAME', fromMe: false, senderJid: A, timestamp: 50, type: 'text', body: 'older' },
      { chatJid: B, id: 'SAME', fromMe: true, timestamp: 60, type: 'text', body: 'newer' },
      { chatJid: LID, id: 'L1', fromMe: false, senderJid: LID, timestamp: 70, type: 'text', body: 'from a lid' }
    ]
  })
  applyBatch(w, { lidMappings: [{ lid: LID, pn: A }] })
  const repo = new MessagesRepo(openReader(path))
  assert.equal(repo.get('SAME')?.body, 'newer')
  assert.equal(repo.get('SAME', A)?.body, 'older')
  assert.equal(repo.get('L1')?.chat_jid, A, 'a message moved by a LID merge is found under its new chat')
  assert.equal(repo.get('NONE'), undefined)
  const ctx = repo.context('A2', 1, 1)!
  assert.deepEqual([ctx.before[0]!.id, ctx.target.id, ctx.after[0]!.id], ['A1', 'A2', 'A3'])
  w.close()
})

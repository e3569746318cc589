import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openWriter, openReader } from '../../src/store/open-db.js'
import { applyBatch } from '../../src/store/apply-batch.js'
import { ChatsRepo } from '../../src/store/chats-repo.js'
import { MessagesRepo } from '../../src/store/messages-repo.js'
import { ContactsRepo } from '../../src/store/contacts-repo.js'

const PN = '15550002222@s.whatsapp.net'
const LID = '200000000000001@lid'

function fresh() {
  const path = join(mkdtempSync(join(tmpdir(), 'store-')), 'store.sqlite')
  const w = openWriter(path)
  const r = openReader(path)
  return { w, chats: new ChatsRepo(r), messages: new MessagesRepo(r), contacts: new ContactsRepo(r) }
}

test('a person named by LID first and by phone later ends up as one chat and one contact', () => {
  const s = fresh()
  applyBatch(s.w, { messages: [{ chatJid: LID, id: 'A1', fromMe: false, senderJid: LID, pushName: 'Alice', timestamp: 1000, type: 'text', body: 'by lid' }], chats: [{ jid: LID, unreadIncrement: 1 }] })
  applyBatch(s.w, { messages: [{ chatJid: PN, id: 'A2', fromMe: false, senderJid: PN, timestamp: 2000, type: 'text', body: 'by phone' }], chats: [{ jid: PN, unreadIncrement: 1 }] })
  assert.equal(s.chats.list({ limit: 10 }).chats.length, 2)
  const r = applyBatch(s.w, { lidMappings: [{ lid: LID, pn: PN }] })
  assert.equal(r.merged, 1)
  const { chats } = s.chats.list({ limit: 10 })
  assert.equal(chats.length, 1)
  assert.equal(chats[0]!.jid, PN)
  assert.equal(chats[0]!.unread_count, 2)
  assert.equal(chats[0]!.name, 'Alice')
  assert.deepEqual(s.messages.list({ chatJid: PN, limit: 10 }).messages.map((m) => m.id), ['A2', 'A1'])
  assert.equal(s.contacts.canonical(LID), PN)
  assert.equal(s.contacts.get(PN)?.lid, LID)
  // later LID-addressed messages go straight to the phone chat
  applyBatch(s.w, { messages: [{ chatJid: LID, id: 'A3', fromMe: false, senderJid: LID, timestamp: 3000, type: 'text', body: 'again' }] })
  assert.equal(s.chats.list({ limit: 10 }).chats.length, 1)
})

test('an incoming message neither renames a chat to its JID nor erases its unread count or contact name', () => {
  const s = fresh()
  applyBatch(s.w, { contacts: [{ jid: PN, name: 'Alice Address Book' }], chats: [{ jid: PN, unreadCount: 3 }] })
  applyBatch(s.w, { chats: [{ jid: PN, name: PN, unreadIncrement: 1 }], contacts: [{ jid: PN, name: undefined, notify: 'ali' }], messages: [{ chatJid: PN, id: 'B1', fromMe: false, senderJid: PN, timestamp: 5, type: 'text', body: 'x' }] })
  const chat = s.chats.get(PN)!
  assert.equal(chat.unread_count, 4)
  assert.equal(chat.name, 'Alice Address Book')
  assert.equal(s.contacts.get(PN)?.notify, 'ali')
})

test('applying the same batch twice is the same as once', () => {
  const s = fresh()
  const batch = { messages: [{ chatJid: PN, id: 'C1', fromMe: true, timestamp: 10, type: 'text' as const, body: 'once' }], reactions: [{ chatJid: PN, messageId: 'C1', senderJid: PN, emoji: '👍', timestamp: 11 }] }
  applyBatch(s.w, batch)
  applyBatch(s.w, batch)
  const { messages } = s.messages.list({ chatJid: PN, limit: 10 })
  assert.equal(messages.length, 1)
  assert.deepEqual(messages[0]!.reactions, [{ sender_jid: PN, emoji: '👍' }])
})

test('search is diacritic-insensitive, ranked, snippeted and paged; short queries use substring matching', () => {
  const s = fresh()
  const messages = Array.from({ length: 30 }, (_, i) => ({ chatJid: PN, id: `S${i}`, fromMe: false, timestamp: 100 + i, type: 'text' as const, body: i % 2 ? `café meeting number ${i}` : `unrelated ${i}` }))
  applyBatch(s.w, { messages })
  const p1 = s.messages.search({ query: 'cafe', limit: 10 })
  assert.equal(p1.messages.length, 10)
  assert.ok(p1.messages[0]!.snippet?.includes('[café]'))
  const p2 = s.messages.search({ query: 'cafe', limit: 10, cursor: p1.next_cursor! })
  assert.equal(p2.messages.length, 5)
  assert.equal(p2.next_cursor, null)
  assert.equal(s.messages.search({ query: 'é', limit: 50 }).messages.length, 15)
  assert.throws(() => s.messages.search({ query: 'cafe', limit: 5, cursor: 'garbage' }), /cursor/)
})

test('the context window holds the messages before and after the target', () => {
  const s = fresh()
  applyBatch(s.w, { messages: Array.from({ length: 9 }, (_, i) => ({ chatJid: PN, id: `M${i}`, fromMe: false, timestamp: i * 10, type: 'text' as const, body: `m${i}` })) })
  const ctx = s.messages.context('M4', 2, 3)!
  assert.deepEqual(ctx.before.map((m) => m.id), ['M2', 'M3'])
  assert.equal(ctx.target.id, 'M4')
  assert.deepEqual(ctx.after.map((m) => m.id), ['M5', 'M6', 'M7'])
})

test('a partial number never resolves to somebody whose number merely contains it', () => {
  const s = fresh()
  applyBatch(s.w, { contacts: [{ jid: '4915112345678@s.whatsapp.net', name: 'Hans' }, { jid: '15551234567@s.whatsapp.net', name: 'Ann' }] })
  assert.deepEqual(s.contacts.search('1234', 10).contacts.map((c) => c.name), [])
  assert.deepEqual(s.contacts.search('+1 555', 10).contacts.map((c) => c.name), ['Ann'])
  assert.deepEqual(s.contacts.search('hans', 10).contacts.map((c) => c.name), ['Hans'])
})

test('a record missing what its row needs is skipped alone, the rest of the batch is written', () => {
  const s = fresh()
  applyBatch(s.w, {
    reactions: [{ chatJid: PN, messageId: 'X', senderJid: undefined as unknown as string, emoji: '👍', timestamp: 1 }],
    messages: [{ chatJid: PN, id: 'OK1', fromMe: false, timestamp: 1, type: 'text', body: 'still here' }]
  })
  assert.equal(s.messages.list({ chatJid: PN, limit: 5 }).messages[0]?.id, 'OK1')
})

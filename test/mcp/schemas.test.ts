import { test } from 'node:test'
import assert from 'node:assert/strict'
import { chatShapeFull as chatShape, contactShapeFull as contactShape, toChat, toContact } from '../../src/mcp/schemas.js'

test('a chat leaves out what it has nothing to say about, and still fits its output schema', () => {
  const bare = { jid: '15550002222@s.whatsapp.net', name: null, is_group: false, unread_count: 0, marked_unread: false, archived: false, pinned: false, last_message_at: null, last_message: null }
  assert.deepEqual(toChat(bare), { jid: bare.jid, is_group: false, unread_count: 0 })
  const full = { ...bare, name: 'Pat', unread_count: 2, archived: true, pinned: true, last_message_at: 5, last_message: { id: 'M1', from_me: false, type: 'image', body: null, timestamp: 5 } }
  assert.deepEqual(toChat(full), { jid: bare.jid, name: 'Pat', is_group: false, unread_count: 2, archived: true, pinned: true, last_message_at: 5, last_message: { message_id: `${bare.jid}:M1`, id: 'M1', from_me: false, type: 'image', timestamp: 5 } })
  assert.equal(toChat(full, false).last_message, undefined, 'without the last message when not asked for')
  for (const c of [toChat(bare), toChat(full)]) assert.ok(chatShape.safeParse(c).success)
})

test('a contact leaves out the names and numbers that are not known', () => {
  const c = toContact({ jid: '15550002222@s.whatsapp.net', lid: null, phone: '15550002222', name: null, notify: 'Pat', verified_name: null, display_name: 'Pat', is_my_contact: false })
  assert.deepEqual(c, { jid: '15550002222@s.whatsapp.net', display_name: 'Pat', is_my_contact: false, phone: '15550002222', notify: 'Pat' })
  assert.ok(contactShape.safeParse(c).success)
})

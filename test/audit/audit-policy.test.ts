// What the audit trail keeps of a call's arguments, and which chats and messages it names: a table of
// argument shapes, bodies on and off, media bytes never.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ARG_MAX_CHARS, IDS_MAX, elideArgs, eventEntry, isAudited, toolEntry, touched } from '../../src/audit/audit-policy.js'

const long = 'x'.repeat(ARG_MAX_CHARS + 1)

test('arguments are kept with long values elided; bodies only when asked; media bytes never', () => {
  const rows: Array<[string, Record<string, unknown>, boolean, Record<string, unknown>]> = [
    ['a short string stays', { query: 'ada' }, false, { query: 'ada' }],
    ['a long string is its length', { query: long }, false, { query: `…(${long.length} chars)` }],
    ['a message text is left out', { message: 'hello there' }, false, { message: '…(omitted, 11 chars)' }],
    ['a message text is kept when asked', { message: 'hello there' }, true, { message: 'hello there' }],
    ['a long kept text is still elided', { message: long }, true, { message: `…(${long.length} chars)` }],
    ['an edit\'s text is left out', { text: 'new words' }, false, { text: '…(omitted, 9 chars)' }],
    ['a caption is left out', { caption: 'a photo' }, false, { caption: '…(omitted, 7 chars)' }],
    ['poll question and options are left out', { question: 'when?', options: ['mon', 'tue'] }, false, { question: '…(omitted, 5 chars)', options: '…(omitted, 13 chars)' }],
    ['contact cards are left out', { contacts: [{ name: 'Bo' }] }, false, { contacts: '…(omitted, 15 chars)' }],
    ['media bytes are never kept', { media_content: 'QUJD' }, true, { media_content: '…(bytes omitted, 4 chars)' }],
    ['media bytes are never kept, bodies off too', { media_content: long }, false, { media_content: `…(bytes omitted, ${long.length} chars)` }],
    ['numbers and booleans stay', { limit: 5, only_unread: true }, false, { limit: 5, only_unread: true }],
    ['a long list is its length', { phones: Array.from({ length: IDS_MAX + 1 }, (_, i) => String(i)) }, false, { phones: `…(${IDS_MAX + 1} items)` }],
    ['a long string inside a list is elided', { mentions: ['a', long] }, false, { mentions: ['a', `…(${long.length} chars)`] }],
    ['deep nesting is cut', { a: { b: { c: { d: { e: 1 } } } } }, false, { a: { b: { c: { d: '…(nested)' } } } }],
    ['many keys are cut and counted', Object.fromEntries(Array.from({ length: IDS_MAX + 5 }, (_, i) => [`k${i}`, i])), false, { ...Object.fromEntries(Array.from({ length: IDS_MAX }, (_, i) => [`k${i}`, i])), '…': '5 more keys' }],
    ['many nested keys are cut and counted', { a: Object.fromEntries(Array.from({ length: IDS_MAX + 1 }, (_, i) => [`k${i}`, 1])) }, false, { a: { ...Object.fromEntries(Array.from({ length: IDS_MAX }, (_, i) => [`k${i}`, 1])), '…': '1 more keys' } }],
    ['undefined arguments are dropped', { cursor: undefined, limit: 1 }, false, { limit: 1 }]
  ]
  for (const [what, args, bodies, want] of rows) assert.deepEqual(elideArgs(args, bodies), want, what)
})

test('the chats and message ids of a call come from its arguments and from a send\'s result', () => {
  const rows: Array<[string, Record<string, unknown>, unknown, { chats: string[]; messageIds: string[] }]> = [
    ['a recipient', { recipient_jid: '447700900001@s.whatsapp.net' }, undefined, { chats: ['447700900001@s.whatsapp.net'], messageIds: [] }],
    ['a chat id', { chat_id: '+44 7700 900001' }, undefined, { chats: ['+44 7700 900001'], messageIds: [] }],
    ['a chat_jid:id names its chat', { message_id: '1203@g.us:ABC' }, undefined, { chats: ['1203@g.us'], messageIds: ['1203@g.us:ABC'] }],
    ['a bare id names no chat', { message_id: 'ABC' }, undefined, { chats: [], messageIds: ['ABC'] }],
    ['a forward names both chats', { message_id: '1@s.whatsapp.net:M1', to: '2@s.whatsapp.net' }, undefined, { chats: ['2@s.whatsapp.net', '1@s.whatsapp.net'], messageIds: ['1@s.whatsapp.net:M1'] }],
    ['a reply names the quoted message', { recipient_jid: '1@s.whatsapp.net', reply_to: '1@s.whatsapp.net:Q' }, undefined, { chats: ['1@s.whatsapp.net'], messageIds: ['1@s.whatsapp.net:Q'] }],
    ['a send adds the message it made', { recipient_jid: '+1 555' }, { chat_jid: '1555@s.whatsapp.net', message_id: '1555@s.whatsapp.net:NEW' }, { chats: ['+1 555', '1555@s.whatsapp.net'], messageIds: ['1555@s.whatsapp.net:NEW'] }],
    ['a chat list', { chats: ['a@g.us', 'b@g.us'] }, undefined, { chats: ['a@g.us', 'b@g.us'], messageIds: [] }],
    ['a list result is not a send', { limit: 3 }, { chats: [{ jid: 'x@g.us' }] }, { chats: [], messageIds: [] }],
    ['non-strings are ignored', { chat_id: 5, message_id: null }, 'text', { chats: [], messageIds: [] }]
  ]
  for (const [what, args, result, want] of rows) assert.deepEqual(touched(args, result), want, what)
})

test('ping and check_auth_status are not recorded; everything that touches the account is', () => {
  for (const t of ['ping', 'check_auth_status']) assert.equal(isAudited(t), false, t)
  for (const t of ['list_messages', 'send_message', 'get_qr_code', 'logout', 'download_media', 'get_updates']) assert.equal(isAudited(t), true, t)
})

test('a tool record carries the principal, the client, the outcome and the code', () => {
  const base = { tool: 'send_message', args: { recipient_jid: 'a@s.whatsapp.net', message: 'hi' }, startedAt: 1000, durationMs: 2.6 }
  const ok = toolEntry({ ...base, outcome: 'ok', result: { message_id: 'a@s.whatsapp.net:X' }, principal: { name: 'agent one', kind: 'credential' }, clientName: 'claude' }, false)
  assert.deepEqual(ok, { at: 1000, kind: 'tool', credential: 'agent one', credential_kind: 'credential', client: 'claude', tool: 'send_message', chats: ['a@s.whatsapp.net'], message_ids: ['a@s.whatsapp.net:X'], outcome: 'ok', code: null, duration_ms: 3, details: { recipient_jid: 'a@s.whatsapp.net', message: '…(omitted, 2 chars)' } })
  const failed = toolEntry({ ...base, outcome: 'error', code: 'WA_NOT_READY', result: { message_id: 'ignored' } }, false)
  assert.equal(failed.credential, 'no token')
  assert.equal(failed.code, 'WA_NOT_READY')
  assert.deepEqual(failed.message_ids, [], 'a failed call made no message')
  assert.equal(toolEntry({ ...base, outcome: 'cancelled' }, false).code, null, 'a cancelled call failed nothing')
})

test('a non-tool record names its kind and actor, with details elided as arguments are', () => {
  const e = eventEntry('approval.decided', { name: 'admin', kind: 'admin' }, { tool: 'send_message', chat_jid: 'a@g.us', message: 'the text', decision: 'approved' }, 5)
  assert.equal(e.kind, 'approval.decided')
  assert.equal(e.tool, 'send_message')
  assert.deepEqual(e.chats, ['a@g.us'])
  assert.deepEqual(e.details, { tool: 'send_message', chat_jid: 'a@g.us', message: '…(omitted, 8 chars)', decision: 'approved' })
})

// The pure approval policy: which calls wait for a person, for every combination of the global setting,
// the credential's own setting and the chat's policy, and for every tool of the catalog (a new tool that
// changes WhatsApp must be put in one class or the other on purpose); the edits a person may make; codes.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ACTION_TOOLS, APPROVAL_LEVELS, APPROVAL_SETTINGS, SEND_TOOLS, callKey, checkEdits, effectiveLevel, keptArgs, needsApproval, newCode, operationKind, previewOf } from '../../src/approvals/approval-policy.js'
import type { ChatPolicy } from '../../src/access/chat-policy.js'
import { TOOLS } from '../../src/mcp/tools/index.js'

test('every combination of global, credential and chat policy: the strictest wins, sends and actions apart', () => {
  const chats: Array<ChatPolicy | undefined> = [undefined, 'approval', 'read_only', 'never']
  let rows = 0
  for (const global of APPROVAL_SETTINGS) {
    for (const credential of [undefined, ...APPROVAL_LEVELS]) {
      for (const chatPolicy of chats) {
        const levels = [global === 'off' ? 0 : global === 'sends' ? 1 : 2, credential === 'sends' ? 1 : credential === 'actions' ? 2 : 0, chatPolicy === 'approval' ? 2 : 0]
        const want = Math.max(...levels)
        assert.equal(effectiveLevel({ global, credential, chatPolicy }), APPROVAL_LEVELS[want], `${global}/${credential}/${chatPolicy}`)
        for (const [operation, kind] of [['send_message', 1], ['send_media', 1], ['send_reaction', 1], ['delete_message', 2], ['update_group', 2], ['block_contact', 2], ['mark_read', 9], ['list_chats', 9], ['logout', 9]] as const) {
          assert.equal(needsApproval({ operation, global, credential, chatPolicy }), want >= kind, `${operation} under ${global}/${credential}/${chatPolicy}`)
          rows++
        }
      }
    }
  }
  assert.equal(rows, 3 * 4 * 4 * 9)
})

test('every tool that changes WhatsApp is a send, an action, or one of the few left out on purpose; no read is gated', () => {
  // schedule_message asks the gate with the send's own operation (send_message, send_media); cancelling a
  // scheduled send changes nothing on WhatsApp
  const leftOut = new Set(['mark_read', 'send_presence', 'logout', 'force_resync', 'stage_media', 'download_media', 'get_qr_code', 'check_whatsapp_numbers', 'refresh_group_info', 'schedule_message', 'cancel_scheduled'])
  for (const t of TOOLS) {
    const kind = operationKind(t.name)
    if (t.annotations.readOnlyHint) assert.equal(kind, undefined, `${t.name} is read-only and must never wait`)
    else if (!leftOut.has(t.name)) assert.ok(kind, `${t.name} changes something: a send or an action?`)
  }
  for (const name of [...SEND_TOOLS, ...ACTION_TOOLS]) assert.ok(TOOLS.some((t) => t.name === name), `${name} is a tool`)
  for (const name of SEND_TOOLS) assert.ok(!ACTION_TOOLS.has(name))
})

test('a person may edit only the text of a send or an edit, never the recipient, and only with text', () => {
  const rows: Array<[string, Record<string, unknown>, boolean]> = [
    ['send_message', { message: 'better words' }, true],
    ['send_message', { recipient_jid: 'someone@s.whatsapp.net' }, false],
    ['send_message', { message: '' }, false],
    ['send_message', { message: 42 }, false],
    ['send_media', { caption: 'a caption' }, true],
    ['send_media', { media_path: '/etc/passwd' }, false],
    ['edit_message', { text: 'fixed' }, true],
    ['delete_message', { for_everyone: false }, false],
    ['send_message', { message: 'x'.repeat(65537) }, false]
  ]
  for (const [op, edits, allowed] of rows) assert.equal(checkEdits(op, edits) === undefined, allowed, `${op} ${JSON.stringify(edits).slice(0, 60)}`)
})

test('codes are short, unambiguous and varied; the call key is stable for the same call and differs for another', () => {
  const codes = new Set(Array.from({ length: 500 }, newCode))
  for (const c of codes) assert.match(c, /^[A-HJ-NP-Z2-9]{5}$/)
  assert.ok(codes.size > 490)
  const args = { recipient_jid: 'a@s.whatsapp.net', message: 'hi' }
  assert.equal(callKey('p', 'send_message', 'a@s.whatsapp.net', args), callKey('p', 'send_message', 'a@s.whatsapp.net', { ...args }))
  assert.notEqual(callKey('p', 'send_message', 'a@s.whatsapp.net', args), callKey('q', 'send_message', 'a@s.whatsapp.net', args))
  assert.notEqual(callKey('p', 'send_message', 'a@s.whatsapp.net', args), callKey('p', 'send_message', 'a@s.whatsapp.net', { ...args, message: 'ho' }))
})

test('the preview shows the text, the caption and the file name, and base64 bytes are never kept', () => {
  assert.deepEqual(previewOf('send_message', { message: 'Hello Ada' }, 'Ada'), { summary: 'Send a message · Ada', text: 'Hello Ada' })
  const media = previewOf('send_media', { media_path: '/m/uploads/photo.jpg', caption: 'look', mime_type: 'image/jpeg' }, 'Ada')
  assert.deepEqual(media, { summary: 'Send media · Ada', caption: 'look', media: { kind: 'file', fileName: 'photo.jpg', mimetype: 'image/jpeg' } })
  assert.equal(previewOf('create_group', { subject: 'x' }, '').summary, 'Create a group')
  assert.deepEqual(keptArgs({ media_content: 'QUJD'.repeat(1000), caption: 'c' }), { media_content: '(4000 characters of base64)', caption: 'c' })
})

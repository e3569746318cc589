// What each of WhatsApp's answers for one person of a group change means, and which invite inputs are
// links or codes: every variant in one table.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { inviteCodeOf, participantOutcome } from '../../../src/mcp/tools/group-outcome.js'

test('each participant answer maps to the outcome an agent acts on', () => {
  const rows = [
    ['add', 200, false, 'added'],
    ['remove', 200, false, 'removed'],
    ['promote', 200, false, 'promoted'],
    ['demote', 200, false, 'demoted'],
    ['add', 403, false, 'needs_invite'],
    ['add', 403, true, 'invite_sent'],
    ['add', 400, false, 'not_on_whatsapp'],
    ['add', 404, false, 'not_on_whatsapp'],
    ['add', 409, false, 'already_member'],
    ['add', 408, false, 'left_recently'],
    ['remove', 404, false, 'not_member'],
    ['promote', 404, false, 'not_member'],
    ['remove', 403, false, 'failed'],
    ['add', 500, false, 'failed']
  ] as const
  for (const [action, status, invited, want] of rows) assert.equal(participantOutcome(action, { jid: 'x@s.whatsapp.net', status, invited }), want, `${action} ${status}`)
})

test('an invite is a chat.whatsapp.com link or its bare code; anything else is refused', () => {
  const code = 'AbCdEfGhIj1234567890_-'
  for (const ok of [code, `https://chat.whatsapp.com/${code}`, `http://chat.whatsapp.com/${code}/`, `chat.whatsapp.com/invite/${code}`, ` ${code} `]) assert.equal(inviteCodeOf(ok), code, ok)
  for (const bad of ['short', 'https://example.com/AbCdEfGhIj1234', 'https://chat.whatsapp.com.evil.example/AbCdEfGhIj1234', `${code}?x=1`, 'has spaces in it ok', 'https://chat.whatsapp.com/']) assert.equal(inviteCodeOf(bad), undefined, bad)
})

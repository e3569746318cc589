// The owner's answers in their own chat, read by the pure parser: every form it takes, and the messages
// that look alike but are no answer (a note to self must never approve a send).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseOwnerReply, looksLikeCode, promptText, alreadyText, decidedText, whichText, MAX_NOTE_CHARS, type OwnerReply } from '../../src/approvals/owner-reply.js'
import type { ApprovalRequest } from '../../src/approvals/approval-types.js'

const yes = (code?: string): OwnerReply => ({ kind: 'decision', approve: true, ...(code ? { code } : {}) })
const no = (code?: string, note?: string): OwnerReply => ({ kind: 'decision', approve: false, ...(code ? { code } : {}), ...(note ? { note } : {}) })
const UNCLEAR: OwnerReply = { kind: 'unclear' }

test('the forms of an answer, and what is no answer', () => {
  const rows: Array<[string, OwnerReply | undefined]> = [
    // bare digits, as the prompt asks
    ['1', yes()],
    ['2', no()],
    ['  1  ', yes()],
    ['1.', yes()],
    ['1!', yes()],
    ['2)', no()],
    ['1️⃣', yes()],
    ['2️⃣', no()],
    ['１', yes()],
    // with the code, any case as long as it reads as one
    ['1 K7QF', yes('K7QF')],
    ['1 k7qf', yes('K7QF')],
    ['1 #K7QF', yes('K7QF')],
    ['1 K7QF.', yes('K7QF')],
    ['2 K7QF', no('K7QF')],
    ['1️⃣ K7QF', yes('K7QF')],
    ['1\nK7QF', yes('K7QF')],
    // a rejection's note, with the code or without
    ['2 K7QF because the tone is wrong', no('K7QF', 'because the tone is wrong')],
    ['2 K7QF: too formal', no('K7QF', 'too formal')],
    ['2 K7QF - not now', no('K7QF', 'not now')],
    ['2 because not today', no(undefined, 'because not today')],
    ['2 not today', no(undefined, 'not today')],
    ['2 later', no(undefined, 'later')],
    ['2, wrong chat', no(undefined, 'wrong chat')],
    ['2 K7QF\nline one\nline two', no('K7QF', 'line one\nline two')],
    // an approval takes no words: a stray word is not read as yes
    ['1 ok', UNCLEAR],
    ['1 K7QF please', UNCLEAR],
    ['1 K7QF K8QF', UNCLEAR],
    ['1 #zz', UNCLEAR],
    // notes to self that start with a digit are no answer at all
    ['12 eggs', undefined],
    ['10', undefined],
    ['1st call the bank', undefined],
    ['2nd draft', undefined],
    ['3', undefined],
    ['0', undefined],
    ['yes', undefined],
    ['', undefined],
    ['call 1 back', undefined],
    ['K7QF 1', undefined],
    // the prompt itself is no answer, whatever it contains
    ['Approval needed (K7QF): Send a message to Ada\n\nReply 1 to send, 2 to drop', undefined]
  ]
  for (const [text, want] of rows) assert.deepEqual(parseOwnerReply(text), want, JSON.stringify(text))
})

test('a word the caller knows as a code is the code; an unknown lower-case word is the start of a note', () => {
  const known = new Set(['NOPE'])
  const isCode = (t: string) => known.has(t.toUpperCase()) || looksLikeCode(t)
  assert.deepEqual(parseOwnerReply('2 nope too rude', isCode), no('NOPE', 'too rude'))
  assert.deepEqual(parseOwnerReply('2 nah too rude', isCode), no(undefined, 'nah too rude'))
  assert.deepEqual(parseOwnerReply('2 NAHH', isCode), no('NAHH'))
})

test('a note is kept to its cap', () => {
  const r = parseOwnerReply(`2 K7QF ${'x'.repeat(5000)}`)
  assert.equal(r?.kind === 'decision' && r.note?.length, MAX_NOTE_CHARS)
})

const req = (over: Partial<ApprovalRequest> = {}): ApprovalRequest => ({
  id: 'apr_1',
  code: 'K7QF',
  operation: 'send_message',
  chatJid: '4915112345678@s.whatsapp.net',
  chatName: 'Ada',
  preview: { text: 'See you at 8', summary: 'Send a message to Ada' },
  args: {},
  principal: { id: 'p', label: 'calendar agent' },
  status: 'pending',
  requestedAt: Date.UTC(2026, 11, 1, 9, 0),
  expiresAt: Date.UTC(2026, 11, 1, 9, 10),
  ...over
})

test('the prompt names the chat, shows the message as it will go and its code, and says how to answer', () => {
  const text = promptText(req())
  for (const part of ['K7QF', 'Ada (4915112345678@s.whatsapp.net)', 'See you at 8', 'Reply 1 to send, 2 to drop', 'calendar agent', '09:10 UTC']) assert.ok(text.includes(part), `${part} in ${text}`)
  const media = promptText(req({ preview: { caption: 'the menu', media: { kind: 'image', fileName: 'menu.jpg', mimetype: 'image/jpeg' }, summary: 'Send an image to Ada' } }))
  for (const part of ['Media: image menu.jpg (image/jpeg)', 'Caption: the menu']) assert.ok(media.includes(part), `${part} in ${media}`)
  assert.equal(parseOwnerReply(text), undefined)
  assert.equal(parseOwnerReply(media), undefined)
  const action = promptText(req({ operation: 'delete_message', preview: { summary: 'Delete a message in Ada' } }))
  assert.match(action, /Reply 1 to go ahead, 2 to drop/)
  assert.equal(parseOwnerReply(action), undefined)
  const long = promptText(req({ preview: { text: 'y'.repeat(10_000), summary: 's' } }))
  assert.ok(long.length < 2000)
})

test('the chat says what happened: decided here, decided before, expired, which of several', () => {
  assert.equal(decidedText(req({ status: 'approved' })), 'K7QF: Approved: it goes out now.')
  assert.equal(decidedText(req({ status: 'rejected', note: 'too formal' })), 'K7QF: Dropped (note: too formal).')
  assert.match(alreadyText(req({ status: 'approved', decidedBy: 'admin' })), /already approved in the admin UI/)
  assert.match(alreadyText(req({ status: 'rejected', decidedBy: 'client' })), /already dropped by the agent's client/)
  assert.match(alreadyText(req({ status: 'expired' })), /already expired;/)
  const which = whichText([req(), req({ id: 'apr_2', code: 'M3XZ', preview: { summary: 'Send a message to Bo' } })])
  assert.match(which, /2 requests are waiting/)
  assert.match(which, /M3XZ: Send a message to Bo/)
})

// The owner-chat path against the real parts it joins: the approvals gate with its SQLite store, and the
// message store whose event log it reads. What WhatsApp would do is played by the test: the owner's phone
// writes in the self chat (a fromMe message in the account's own chat), and the prompts the path sends are
// stored as the worker stores this server's own sends.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { openWriter, openReader } from '../../src/store/open-db.js'
import { applyBatch } from '../../src/store/apply-batch.js'
import { EventsRepo } from '../../src/store/events-repo.js'
import { MessagesRepo } from '../../src/store/messages-repo.js'
import { ApprovalStore } from '../../src/approvals/approval-store.js'
import { Approvals } from '../../src/approvals/approvals.js'
import { OwnerChat } from '../../src/approvals/owner-chat.js'
import { STATIC_PRINCIPAL } from '../../src/access/principal.js'
import { AppError } from '../../src/errors/app-error.js'
import type { ToolContext } from '../../src/mcp/tool.js'

const ME = '15550001111@s.whatsapp.net'
const ME_LID = '100000000000042@lid'
const ADA = '15550002222@s.whatsapp.net'
const BO = '15550003333@s.whatsapp.net'

let n = 0
const phoneId = (): string => `PHONE${++n}`

function harness(opts: { enabled?: boolean; timeoutS?: number } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'owner-chat-'))
  const w = openWriter(join(dir, 'store.sqlite'))
  const r = openReader(join(dir, 'store.sqlite'))
  const settings = { approval_required: 'sends' as const, approval_timeout_s: opts.timeoutS ?? 600, approval_owner_chat: opts.enabled ?? true }
  const log = pino({ level: 'silent' })
  const approvals = new Approvals({ store: new ApprovalStore(join(dir, 'approvals.sqlite')), settings: () => settings, chatPolicy: () => undefined, chatName: (j) => (j === ADA ? 'Ada' : undefined), log })
  const messages = new MessagesRepo(r)
  /** what the path wrote into the self chat, in order */
  const outbox: Array<{ to: string; text: string; id: string }> = []
  let chat!: OwnerChat
  // whole seconds, as WhatsApp's times are stored
  let ts = Math.floor(Date.now() / 1000) * 1000
  const store = (m: { chat?: string; id: string; fromMe: boolean; body: string; quotedId?: string }): void => {
    const res = applyBatch(w, { messages: [{ chatJid: m.chat ?? ME, id: m.id, fromMe: m.fromMe, senderJid: m.fromMe ? ME : (m.chat ?? ME), timestamp: (ts += 1), type: 'text', body: m.body, ...(m.quotedId ? { quotedId: m.quotedId } : {}) }] })
    if (res.changed) chat.wake(res.changed)
  }
  const open = () => new OwnerChat({
    approvals,
    enabled: () => settings.approval_owner_chat,
    me: () => ({ jid: ME, lid: ME_LID }),
    send: async (to, text, id) => {
      outbox.push({ to, text, id })
      // as the worker does: this server's own send is stored as a fromMe message of the chat
      store({ id, fromMe: true, body: text })
    },
    events: new EventsRepo(r),
    quoted: (c, id) => {
      const quotedId = messages.get(id, c)?.quoted_id
      const q = quotedId ? messages.get(quotedId, c) : undefined
      return quotedId ? { id: quotedId, body: q?.body, timestamp: q?.timestamp } : undefined
    },
    log
  })
  chat = open()
  /** as after a restart of the server: a new path that has sent no prompt yet */
  const restart = () => {
    chat.close()
    chat = open()
  }
  const ctx = { principal: STATIC_PRINCIPAL, progressToken: undefined, detach() {}, onCancel() {}, notify() {}, clientCan: () => false } as unknown as ToolContext
  /** an agent's send to `to` waiting at the gate; settles with the arguments or the gate's error code */
  const ask = (to: string, message: string) => {
    const before = outbox.length
    const call = approvals.gate(ctx, { operation: 'send_message', chatJid: to, args: { recipient_jid: to, message }, preview: { text: message, summary: `Send a message to ${to}` } }).then(
      (args) => ({ ok: true as const, args }),
      (err: AppError) => ({ ok: false as const, code: err.code, message: err.message })
    )
    const req = approvals.list(50).find((x) => x.status === 'pending' && x.preview.text === message)!
    return { call, req, prompt: outbox[before] }
  }
  /** the owner's phone writes in the self chat */
  const phone = (body: string, quotedId?: string) => store({ id: phoneId(), fromMe: true, body, ...(quotedId ? { quotedId } : {}) })
  const said = (from: number) => outbox.slice(from).map((o) => o.text)
  return { settings, approvals, get chat() {
    return chat
  }, outbox, store, ask, phone, said, restart }
}

test('a request gets one prompt in the own chat naming the chat, the message and its code, sent past the gate', async () => {
  const h = harness()
  const a = h.ask(ADA, 'See you at 8')
  assert.equal(h.outbox.length, 1)
  assert.equal(a.prompt?.to, ME)
  for (const part of ['Ada', 'See you at 8', a.req.code, 'Reply 1 to send, 2 to drop']) assert.ok(a.prompt!.text.includes(part), part)
  // the prompt, stored as the server's own message, decided nothing
  assert.equal(h.approvals.get(a.req.id)?.status, 'pending')
  h.phone('1')
  assert.deepEqual(await a.call, { ok: true, args: { recipient_jid: ADA, message: 'See you at 8' } })
  assert.equal(h.approvals.get(a.req.id)?.decidedBy, 'owner_chat')
  assert.match(h.outbox.at(-1)!.text, new RegExp(`^${a.req.code}: Approved`))
})

test('"2 CODE because ..." rejects with the note, and the agent reads it', async () => {
  const h = harness()
  const a = h.ask(ADA, 'Call me')
  h.phone(`2 ${a.req.code.toLowerCase()} because it is too late`)
  const r = await a.call
  assert.equal(r.ok, false)
  assert.equal(!r.ok && r.code, 'APPROVAL_REJECTED')
  assert.match(!r.ok ? r.message : '', /because it is too late/)
  assert.match(h.outbox.at(-1)!.text, /Dropped \(note: because it is too late\)/)
})

test('a bare answer decides only when one request waits; with two it asks for the code, a code or a quote decides', async () => {
  const h = harness()
  const a = h.ask(ADA, 'first')
  const b = h.ask(BO, 'second')
  const at = h.outbox.length
  h.phone('1')
  assert.equal(h.approvals.get(a.req.id)?.status, 'pending')
  assert.equal(h.approvals.get(b.req.id)?.status, 'pending')
  assert.match(h.said(at)[0]!, /2 requests are waiting/)
  // a reply quoting b's prompt means b
  h.phone('2 not this one', b.prompt!.id)
  assert.equal((await b.call).ok, false)
  assert.equal(h.approvals.get(a.req.id)?.status, 'pending')
  // one waits now: a bare answer is clear again
  h.phone('1')
  assert.equal((await a.call).ok, true)
})

test('a code and a quote that disagree decide nothing', () => {
  const h = harness()
  const a = h.ask(ADA, 'one')
  const b = h.ask(BO, 'two')
  const at = h.outbox.length
  h.phone(`1 ${a.req.code}`, b.prompt!.id)
  assert.equal(h.approvals.get(a.req.id)?.status, 'pending')
  assert.equal(h.approvals.get(b.req.id)?.status, 'pending')
  assert.match(h.said(at)[0]!, /quotes one prompt and names another code/)
})

test('unknown, already decided and expired codes are answered and change nothing', async () => {
  const h = harness({ timeoutS: 1 })
  const a = h.ask(ADA, 'soon')
  let at = h.outbox.length
  h.phone('1 ZZZZ9')
  assert.match(h.said(at)[0]!, /No request ZZZZ9 is known/)
  assert.equal(h.approvals.get(a.req.id)?.status, 'pending')
  h.approvals.decide(a.req.id, { approve: true, by: 'admin' })
  at = h.outbox.length
  h.phone(`2 ${a.req.code}`)
  assert.match(h.said(at)[0]!, new RegExp(`${a.req.code} was already approved in the admin UI`))
  assert.equal(h.approvals.get(a.req.id)?.status, 'approved')
  assert.equal((await a.call).ok, true)
  const b = h.ask(BO, 'too slow')
  // the gate's own timer does not hold the process open: this one does, past the 1 s timeout
  await new Promise((resolve) => setTimeout(resolve, 1200))
  const r = await b.call
  assert.equal(!r.ok && r.code, 'APPROVAL_TIMEOUT')
  at = h.outbox.length
  h.phone(`1 ${b.req.code}`)
  assert.match(h.said(at)[0]!, /already expired/)
  at = h.outbox.length
  h.phone('1')
  assert.deepEqual(h.said(at), ['No request is waiting for approval.'])
})

test('messages in other chats, from other people, and notes to self decide nothing', () => {
  const h = harness()
  const a = h.ask(ADA, 'hello')
  const at = h.outbox.length
  h.store({ chat: ADA, id: phoneId(), fromMe: true, body: '1' })
  h.store({ chat: ADA, id: phoneId(), fromMe: false, body: '1' })
  h.store({ chat: '120363000000000001@g.us', id: phoneId(), fromMe: true, body: `1 ${a.req.code}` })
  // a message in the self chat that is not the account's own (none can be on WhatsApp; the store could)
  h.store({ id: phoneId(), fromMe: false, body: `1 ${a.req.code}` })
  h.phone('buy milk')
  h.phone('12 eggs')
  assert.equal(h.approvals.get(a.req.id)?.status, 'pending')
  assert.deepEqual(h.said(at), [])
})

test('this server\'s own messages in the self chat are never read as the owner\'s, even when stored before the send returns', async () => {
  const h = harness()
  const a = h.ask(ADA, 'pay the invoice')
  // an agent sends "1" to the own number: the message is stored before its send call has come back
  let done!: (r: { id: string }) => void
  h.chat.sending(ME, new Promise((resolve) => (done = resolve)))
  h.store({ id: 'AGENT1', fromMe: true, body: '1' })
  assert.equal(h.approvals.get(a.req.id)?.status, 'pending')
  // the owner's real answer behind it waits for that send to come back, then counts
  h.phone(`2 ${a.req.code} no`)
  assert.equal(h.approvals.get(a.req.id)?.status, 'pending')
  done({ id: 'AGENT1' })
  const r = await a.call
  assert.equal(!r.ok && r.code, 'APPROVAL_REJECTED')
  // a send whose answer never comes (a worker crash cut it off) but that named its id is ours all the same
  const c = h.ask(BO, 'after the crash')
  h.chat.sending(ME, Promise.reject(new Error('WA_WORKER_CRASHED')), 'AGENT2')
  await new Promise((resolve) => setImmediate(resolve))
  h.store({ id: 'AGENT2', fromMe: true, body: '1' })
  assert.equal(h.approvals.get(c.req.id)?.status, 'pending')
  h.approvals.decide(c.req.id, { approve: false, by: 'admin' })
  await c.call
  // a send to another chat holds nothing up
  const b = h.ask(BO, 'next')
  h.chat.sending(ADA, new Promise(() => {}))
  h.phone('1')
  assert.equal((await b.call).ok, true)
})

test('with the setting off no prompt goes and answers are not read, then or later', async () => {
  const h = harness({ enabled: false })
  const a = h.ask(ADA, 'quiet')
  assert.equal(h.outbox.length, 0)
  h.phone('1')
  assert.equal(h.approvals.get(a.req.id)?.status, 'pending')
  h.settings.approval_owner_chat = true
  h.phone('hello')
  assert.equal(h.approvals.get(a.req.id)?.status, 'pending')
  h.phone(`1 ${a.req.code}`)
  assert.equal((await a.call).ok, true)
})

test('after a restart, a reply quoting an old prompt decides its own request or nothing, never the one waiting now', async () => {
  const h = harness()
  const a = h.ask(ADA, 'before the restart')
  h.approvals.decide(a.req.id, { approve: false, by: 'admin' })
  await a.call
  h.restart()
  const b = h.ask(BO, 'after the restart')
  const at = h.outbox.length
  h.phone('1', a.prompt!.id)
  assert.equal(h.approvals.get(b.req.id)?.status, 'pending')
  assert.match(h.said(at)[0]!, new RegExp(`${a.req.code} was already dropped in the admin UI`))
  h.phone('1')
  assert.equal((await b.call).ok, true)
})

test('a reply the store keeps under the account\'s LID (no phone number mapped to it yet) counts too', async () => {
  const h = harness()
  const a = h.ask(ADA, 'by lid')
  h.store({ chat: ME_LID, id: phoneId(), fromMe: true, body: '1' })
  assert.equal((await a.call).ok, true)
})

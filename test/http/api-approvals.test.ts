// /api/approvals end to end: a server linked to the emulator with approval required for sends (a runtime
// setting), the SDK v1 client sending, and the queue answered over HTTP with the admin token: a rejected
// send fails with the note and never reaches the person, an edited one arrives edited, silence times out,
// the first decision wins (409 after it), bad bodies are 400, the route asks for the admin and refuses
// other sites, the audit trail holds both records, and a restart expires what still waited.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { startEmulator, type Emulator } from '../emulator/emulator.js'
import type { Person } from '../emulator/person.js'
import { call, startServerProcess, until, type ServerProcess } from '../helpers/server-process.js'
import { linkViaMcp } from '../helpers/link.js'

const ACCOUNT = '15550009201'
const ADMIN = 'admin-token-for-the-approvals-test-0123'
let emu: Emulator
let server: ServerProcess
let client: Client
let ada: Person

interface Approval { id: string; code: string; chat_jid: string; chat_name: string | null; status: string; note: string | null; decided_by: string | null; preview: { summary: string; text: string | null }; edited_args: Record<string, unknown> | null }

const api = async (method: string, path: string, body?: unknown, headers: Record<string, string> = { authorization: `Bearer ${ADMIN}` }) => {
  const r = await fetch(`${server.url}${path}`, { method, headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}) })
  return { status: r.status, body: (await r.json()) as Record<string, any> }
}
const textOf = (m: Person['inbox'][number]) => m.message.conversation ?? m.message.extendedTextMessage?.text
/** the pending request whose text is `text`, once the call has made it */
const pending = (text: string) => until(async () => ((await api('GET', '/api/approvals')).body.approvals as Approval[]).find((a) => a.status === 'pending' && a.preview.text === text), 10_000, `"${text}" in the queue`)
const settings = (patch: Record<string, unknown>) => api('POST', '/api/settings', patch)

before(async () => {
  emu = await startEmulator()
  ada = emu.person({ phone: '447700900921', name: 'Ada Approvals' })
  emu.setHistory(ACCOUNT, { chats: [{ jid: ada.phone, messages: [{ text: 'earlier', id: 'AP1' }] }] })
  server = await startServerProcess(emu, { ADMIN_TOKEN: ADMIN })
  client = await server.mcp()
  await linkViaMcp(client, emu, ACCOUNT)
  await until(async () => (await call(client, 'get_chat_by_id', { jid: ada.jid })).ok, 20_000, 'history stored')
  assert.equal((await settings({ approval_required: 'sends' })).status, 200)
})

after(async () => {
  await client?.close()
  await server?.stop()
  await emu?.close()
})

test('a rejected send fails with the person\'s note and never reaches the chat; the next one, approved, does', async () => {
  const held = call(client, 'send_message', { recipient_jid: ada.jid, message: 'the one to reject' })
  const req = await pending('the one to reject')
  assert.equal(req.chat_jid, ada.jid)
  // the chat as the store names it (her name once the contacts have synced, her number before)
  assert.match(String(req.chat_name), /^(Ada Approvals|\+447700900921)$/)
  assert.match(req.code, /^[A-Z2-9]{5}$/)
  const r = await api('POST', `/api/approvals/${req.id}`, { approve: false, note: 'we do not say that' })
  assert.equal(r.status, 200)
  assert.equal(r.body.approval.status, 'rejected')
  const out = await held
  assert.equal(out.ok, false)
  assert.equal(out.data.code, 'APPROVAL_REJECTED')
  assert.match(String(out.data.message), /we do not say that/)
  // the person hears the approved message that follows, and never the rejected one before it
  const next = call(client, 'send_message', { recipient_jid: ada.jid, message: 'the one to approve' })
  await api('POST', `/api/approvals/${(await pending('the one to approve')).id}`, { approve: true })
  assert.equal((await next).ok, true)
  await ada.waitFor((m) => textOf(m) === 'the one to approve')
  assert.equal(ada.inbox.filter((m) => textOf(m) === 'the one to reject').length, 0)
})

test('edit then approve sends the edited text; both records are in the audit trail; a second decision is 409', async () => {
  const held = call(client, 'send_message', { recipient_jid: ada.jid, message: 'teh typo' })
  const req = await pending('teh typo')
  const r = await api('POST', `/api/approvals/${req.id}`, { approve: true, args: { message: 'the typo, fixed' } })
  assert.equal(r.status, 200, JSON.stringify(r.body))
  assert.deepEqual(r.body.approval.edited_args, { message: 'the typo, fixed' })
  assert.equal((await held).ok, true)
  await ada.waitFor((m) => textOf(m) === 'the typo, fixed')
  assert.equal(ada.inbox.filter((m) => textOf(m) === 'teh typo').length, 0)
  const again = await api('POST', `/api/approvals/${req.id}`, { approve: false })
  assert.equal(again.status, 409)
  assert.equal(again.body.error.code, 'APPROVAL_DECIDED')
  assert.equal(again.body.error.data.approval.status, 'approved')
  const trail = (await api('GET', `/api/audit?chat=${encodeURIComponent(ada.jid)}&limit=50`)).body.records as Array<{ kind: string; credential: string; details: Record<string, unknown> }>
  const mine = trail.filter((x) => x.details.approval_id === req.id)
  assert.deepEqual(mine.map((x) => x.kind).sort(), ['approval.decided', 'approval.requested'])
  const decided = mine.find((x) => x.kind === 'approval.decided')!
  assert.equal(decided.credential, 'admin')
  assert.equal(decided.details.decision, 'approved')
})

test('nobody decides within the timeout: APPROVAL_TIMEOUT, and nothing is sent', async () => {
  assert.equal((await settings({ approval_timeout_s: 1 })).status, 200)
  try {
    const out = await call(client, 'send_message', { recipient_jid: ada.jid, message: 'nobody is watching' })
    assert.equal(out.data.code, 'APPROVAL_TIMEOUT')
    assert.equal(out.data.retryable, true)
    const list = (await api('GET', '/api/approvals')).body.approvals as Approval[]
    assert.equal(list.find((a) => a.preview.text === 'nobody is watching')?.status, 'expired')
  } finally {
    await settings({ approval_timeout_s: 600 })
  }
})

test('bad decisions are 400 with the field named, an unknown id 404; sends stop waiting when the setting is off', async () => {
  const held = call(client, 'send_message', { recipient_jid: ada.jid, message: 'checked bodies' })
  const req = await pending('checked bodies')
  const rows: Array<[string, unknown, number, string]> = [
    ['no approve', {}, 400, 'INVALID_INPUT'],
    ['approve not a boolean', { approve: 'yes' }, 400, 'INVALID_INPUT'],
    ['a note too long', { approve: false, note: 'x'.repeat(1001) }, 400, 'INVALID_INPUT'],
    ['edits with a rejection', { approve: false, args: { message: 'x' } }, 400, 'INVALID_INPUT'],
    ['an edit of the recipient', { approve: true, args: { recipient_jid: '123@s.whatsapp.net' } }, 400, 'INVALID_INPUT'],
    ['an unknown field', { approve: true, by: 'owner_chat' }, 400, 'INVALID_INPUT'],
    ['not JSON', '{"approve": tru', 400, 'INVALID_INPUT'],
    ['an array', '[true]', 400, 'INVALID_INPUT']
  ]
  for (const [what, body, status, code] of rows) {
    const r = await api('POST', `/api/approvals/${req.id}`, body)
    assert.equal(r.status, status, `${what}: ${JSON.stringify(r.body)}`)
    assert.equal(r.body.error.code, code, what)
  }
  assert.equal((await api('POST', '/api/approvals/no-such-id', { approve: true })).body.error.code, 'APPROVAL_NOT_FOUND')
  assert.equal((await api('POST', `/api/approvals/${req.id}`, { approve: true })).status, 200, 'still pending after the bad ones')
  assert.equal((await held).ok, true)
  await settings({ approval_required: 'off' })
  try {
    assert.equal((await call(client, 'send_message', { recipient_jid: ada.jid, message: 'no approval now' })).ok, true)
  } finally {
    await settings({ approval_required: 'sends' })
  }
})

test('the queue answers only the admin, and refuses other sites even with the token', async () => {
  const rows: Array<[string, string, Record<string, string>, number, string]> = [
    ['no token', 'GET', {}, 401, 'UNAUTHORIZED'],
    ['a wrong token', 'GET', { authorization: 'Bearer not-the-admin-token-at-all' }, 401, 'UNAUTHORIZED'],
    ['a decision without a token', 'POST', {}, 401, 'UNAUTHORIZED'],
    ['another site, with the token', 'POST', { authorization: `Bearer ${ADMIN}`, origin: 'https://evil.example' }, 403, 'ORIGIN_FORBIDDEN'],
    ['a cross-site fetch, with the token', 'GET', { authorization: `Bearer ${ADMIN}`, 'sec-fetch-site': 'cross-site' }, 403, 'ORIGIN_FORBIDDEN']
  ]
  for (const [what, method, headers, status, code] of rows) {
    const r = await api(method, method === 'GET' ? '/api/approvals' : '/api/approvals/x', method === 'POST' ? { approve: true } : undefined, headers)
    assert.equal(r.status, status, what)
    assert.equal(r.body.error.code, code, what)
  }
})

test('a crash expires the request that waited at the next start: the call is gone, and the queue says why', async () => {
  const held = call(client, 'send_message', { recipient_jid: ada.jid, message: 'cut by the restart' }).catch((e: Error) => e)
  await pending('cut by the restart')
  const exited = new Promise((r) => server.child.once('exit', r))
  server.child.kill('SIGKILL')
  await exited
  await held
  await client.close().catch(() => undefined)
  server = await startServerProcess(emu, { ADMIN_TOKEN: ADMIN }, server.dataDir)
  client = await server.mcp()
  const list = (await api('GET', '/api/approvals')).body
  const r = (list.approvals as Approval[]).find((a) => a.preview.text === 'cut by the restart')!
  assert.equal(r.status, 'expired')
  assert.match(r.note!, /restarted/)
  assert.equal(list.pending, 0)
  assert.equal((await api('POST', `/api/approvals/${r.id}`, { approve: true })).status, 409)
})

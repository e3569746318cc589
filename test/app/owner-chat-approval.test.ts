// The owner-chat approval path end to end: MCP SDK client -> server process -> the approval gate -> a prompt
// through the Baileys worker to the account's own chat -> the emulator's phone of the account, which
// answers there as a person would ("1", or "2 ... because" quoting the prompt) -> the decision -> the send
// reaching the recipient, or APPROVAL_REJECTED with the note.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startEmulator, type Emulator } from '../emulator/emulator.js'
import type { Person, SelfChatMessage } from '../emulator/person.js'
import { call, type ServerProcess } from '../helpers/server-process.js'
import { startLinkedServer, type LinkedServer } from '../helpers/link.js'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'

const ACCOUNT = '15550001111'
let emu: Emulator
let linked: LinkedServer
let server: ServerProcess
let client: Client
let ada: Person
let bo: Person
let phone: Person

const textOf = (m: SelfChatMessage): string => m.message.conversation ?? m.message.extendedTextMessage?.text ?? ''
const codeOf = (prompt: SelfChatMessage): string => /^Approval needed \(([A-Z0-9]+)\)/.exec(textOf(prompt))![1]!
const api = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
  const res = await fetch(`${server.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })
  return { status: res.status, json: (await res.json()) as Record<string, unknown> }
}
/** the prompt for a message, as the owner's phone shows it in the self chat */
const promptFor = (text: string) => phone.waitForSelf((m) => textOf(m).startsWith('Approval needed') && textOf(m).includes(text), 20_000)

before(async () => {
  emu = await startEmulator()
  ada = emu.person({ phone: '15550002222', name: 'Ada' })
  bo = emu.person({ phone: '15550003333', name: 'Bo' })
  emu.setHistory(ACCOUNT, { chats: [{ jid: ada.phone, messages: [{ text: 'hi' }] }, { jid: bo.phone, messages: [{ text: 'hey' }] }] })
  linked = await startLinkedServer(emu, ACCOUNT)
  server = linked.server
  client = linked.client
  phone = emu.phoneOf(ACCOUNT)
  for (const p of [ada, bo]) {
    // the chat policy needs a chat the store knows: the history brings both
    for (let i = 0; i < 100; i++) {
      const r = await api('PUT', `/api/chat-policy/${p.jid}`, { policy: 'approval' })
      if (r.status === 200) break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
  const policies = (await api('GET', '/api/chat-policy')).json.policies as Array<{ jid: string; policy: string }>
  assert.equal(policies.filter((p) => p.policy === 'approval').length, 2)
})

after(async () => {
  await linked?.close()
  await emu?.close()
})

test('the owner-chat setting is off by default and turns on at runtime', async () => {
  assert.equal(((await api('GET', '/api/settings')).json.settings as Record<string, unknown>).approval_owner_chat, false)
  // a broken path fails with APPROVAL_TIMEOUT in 20 s instead of waiting the default 10 min
  const on = await api('POST', '/api/settings', { approval_owner_chat: true, approval_timeout_s: 20 })
  assert.equal(on.status, 200)
  assert.equal(((await api('GET', '/api/settings')).json.settings as Record<string, unknown>).approval_owner_chat, true)
})

test('a send to an approval chat waits, the owner\'s phone gets the prompt, a "1" there sends it to the recipient', async (t) => {
  const asked = Date.now()
  const sending = call(client, 'send_message', { recipient_jid: ada.jid, message: 'Dinner at 8?' })
  const prompt = await promptFor('Dinner at 8?')
  const prompted = Date.now()
  const code = codeOf(prompt)
  assert.match(textOf(prompt), /Reply 1 to send, 2 to drop/)
  // the chat by its JID (its name too once the store has one: a history sync may bring it a moment later)
  assert.ok(textOf(prompt).includes(ada.jid), textOf(prompt))
  assert.ok(!ada.inbox.some((m) => m.message.conversation === 'Dinner at 8?' || m.message.extendedTextMessage?.text === 'Dinner at 8?'), 'sent before the approval')
  // the phone answers in the self chat, addressed by the account's LID as newer phones do
  const answered = Date.now()
  await phone.fromMeText(phone.lid, '1', { addressing: 'lid' })
  const r = await sending
  assert.equal(r.ok, true, JSON.stringify(r.data))
  t.diagnostic(`call to prompt on the phone ${prompted - asked} ms; the phone's "1" to the send's answer ${Date.now() - answered} ms`)
  await ada.waitFor((m) => (m.message.conversation ?? m.message.extendedTextMessage?.text) === 'Dinner at 8?')
  const answer = await phone.waitForSelf((m) => textOf(m).startsWith(`${code}: Approved`))
  assert.ok(answer)
})

test('with two waiting, a "2 because ..." quoting one prompt rejects that one with the note, a "1 CODE" sends the other', async () => {
  const first = call(client, 'send_message', { recipient_jid: ada.jid, message: 'Lunch tomorrow?' })
  const second = call(client, 'send_message', { recipient_jid: bo.jid, message: 'The party is off' })
  const p1 = await promptFor('Lunch tomorrow?')
  const p2 = await promptFor('The party is off')
  // a bare "1" now could mean either: the chat asks for the code and nothing is decided
  const asked = phone.selfChat.length
  await phone.fromMeText(phone.jid, '1')
  const which = await phone.waitForSelf((m) => phone.selfChat.indexOf(m) >= asked && textOf(m).includes('2 requests are waiting'))
  assert.match(textOf(which), new RegExp(codeOf(p1)))
  await phone.fromMeText(phone.jid, '2 because we said we would call first', { quoted: { key: { id: p2.id, fromMe: true }, text: textOf(p2) } })
  const rejected = await second
  assert.equal(rejected.ok, false)
  assert.equal(rejected.data.code, 'APPROVAL_REJECTED')
  assert.match(String(rejected.data.message), /because we said we would call first/)
  assert.equal((rejected.data.data as Record<string, unknown>).decided_by, 'owner_chat')
  // the audit trail names the owner's chat as who decided, with the note
  const trail = (await api('GET', `/api/audit?chat=${encodeURIComponent(bo.jid)}&limit=50`)).json.records as Array<{ kind: string; credential: string; details: Record<string, unknown> }>
  const decided = trail.find((x) => x.kind === 'approval.decided' && x.details.code === codeOf(p2))
  assert.equal(decided?.credential, 'owner chat')
  assert.equal(decided?.details.decision, 'rejected')
  assert.equal(decided?.details.note, 'because we said we would call first')
  await phone.fromMeText(phone.jid, `1 ${codeOf(p1)}`)
  assert.equal((await first).ok, true)
  await ada.waitFor((m) => (m.message.conversation ?? m.message.extendedTextMessage?.text) === 'Lunch tomorrow?')
  assert.ok(!bo.inbox.some((m) => (m.message.conversation ?? m.message.extendedTextMessage?.text) === 'The party is off'), 'the rejected message reached Bo')
})

test('an agent writing "1" to the own number approves nothing; the owner\'s answer after it still counts', async () => {
  const waiting = call(client, 'send_message', { recipient_jid: ada.jid, message: 'Transfer the money' })
  const prompt = await promptFor('Transfer the money')
  // the agent's own "1" in the self chat (the own number has no approval policy)
  const own = await call(client, 'send_message', { recipient_jid: phone.jid, message: '1' })
  assert.equal(own.ok, true, JSON.stringify(own.data))
  await phone.waitForSelf((m) => textOf(m) === '1')
  await phone.fromMeText(phone.jid, `2 ${codeOf(prompt)} not by an agent`)
  const r = await waiting
  assert.equal(r.data.code, 'APPROVAL_REJECTED', JSON.stringify(r.data))
  assert.match(String(r.data.message), /not by an agent/)
})

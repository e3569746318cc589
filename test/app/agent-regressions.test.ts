// Issue 18, "what an agent tripped over": each regression through the MCP SDK client against the server
// linked to the emulator, on the data an agent would meet.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { startEmulator, type Emulator } from '../emulator/emulator.js'
import type { Person } from '../emulator/person.js'
import { call, until } from '../helpers/server-process.js'
import { startLinkedServer, type LinkedServer } from '../helpers/link.js'

const ACCOUNT = '15550001111'
/** unix seconds of the seeded history: 2025-11-24T16:00:00Z */
const T0 = 1764000000
const iso = (seconds: number) => new Date(seconds * 1000).toISOString()
const OGG = Buffer.concat([Buffer.from('OggS'), Buffer.alloc(60, 1)])
let emu: Emulator
let linked: LinkedServer
let client: Client
let alice: Person
let bob: Person
let carol: Person
let samA: Person
let samB: Person
let groupJid: string

type Msg = Record<string, unknown> & { id: string; message_id: string }
const messages = async (args: Record<string, unknown>) => {
  const r = await call(client, 'list_messages', args)
  assert.equal(r.ok, true, JSON.stringify(r.data))
  return r.data as { messages: Msg[]; next_cursor: string | null }
}
const arrived = (jid: string, id: string) => until(async () => (await messages({ chat_id: jid, limit: 20 })).messages.find((m) => m.id === id), 15_000, `message ${id}`)

before(async () => {
  emu = await startEmulator()
  alice = emu.person({ phone: '15550002222', name: 'Alice Liddell' })
  bob = emu.person({ phone: '4915112345678', name: 'Bob' })
  carol = emu.person({ phone: '15550004444', name: 'Carol' })
  samA = emu.person({ phone: '15550005555', name: 'Sam' })
  samB = emu.person({ phone: '15550006666', name: 'Sam' })
  groupJid = emu.createGroup('Book Club', alice, [ACCOUNT, bob, carol]).id
  emu.setHistory(ACCOUNT, {
    chats: [
      { jid: alice.phone, messages: [{ text: 'Shall we meet?', id: 'H1', ts: T0 }, { text: 'Sure, at ten', fromMe: true, id: 'H2', ts: T0 + 60 }, { text: 'I write c++ daily', id: 'H3', ts: T0 + 120 }, { text: 'c is for cookie', id: 'H4', ts: T0 + 180 }] },
      { jid: groupJid, name: 'Book Club', messages: [{ from: alice.phone, text: 'Next book: Dune', id: 'G1', ts: T0 + 90 }] },
      { jid: bob.phone, messages: [{ text: 'cats and dogs', id: 'B1', ts: T0 + 30 }] }
    ]
  })
  linked = await startLinkedServer(emu, ACCOUNT)
  client = linked.client
  await until(async () => (await messages({ chat_id: alice.jid })).messages.length >= 4, 20_000, 'history stored')
  // people become contacts (with their push names) by writing
  for (const p of [carol, samA, samB]) await arrived(p.jid, (await p.sendText(ACCOUNT, `hi from ${p.phone}`)).id)
})

after(async () => {
  await linked?.close()
  await emu?.close()
})

test('issue 18: a cursor is bound to its query: another tool, chat or filter gets CURSOR_INVALID, not an empty page', async () => {
  const first = await messages({ chat_id: alice.jid, limit: 2 })
  assert.ok(first.next_cursor)
  const chats = (await call(client, 'list_chats', { limit: 1 })).data
  const search = (await call(client, 'search_messages', { query: 'c', limit: 1 })).data
  const wrong: Array<[string, string, Record<string, unknown>]> = [
    ['another chat', 'list_messages', { chat_id: groupJid, cursor: first.next_cursor }],
    ['another time bound', 'list_messages', { chat_id: alice.jid, after: T0 * 1000, cursor: first.next_cursor }],
    ["list_chats' cursor", 'list_messages', { chat_id: alice.jid, cursor: chats.next_cursor }],
    ["search's cursor", 'list_messages', { chat_id: alice.jid, cursor: search.next_cursor }],
    ["list_messages' cursor", 'list_chats', { cursor: first.next_cursor }],
    ['another search', 'search_messages', { query: 'cookie', cursor: search.next_cursor }],
    ['a filtered list', 'list_chats', { only_unread: true, cursor: chats.next_cursor }],
    ['another window', 'list_recent_messages', { since: iso(T0 - 1), cursor: first.next_cursor }]
  ]
  for (const [what, tool, args] of wrong) {
    const r = await call(client, tool, args)
    assert.equal(r.data.code, 'CURSOR_INVALID', `${what}: ${JSON.stringify(r.data)}`)
  }
  assert.deepEqual(first.messages.map((m) => m.id), ['H4', 'H3'])
  const second = await messages({ chat_id: alice.jid, limit: 2, cursor: first.next_cursor })
  assert.deepEqual(second.messages.map((m) => m.id), ['H2', 'H1'], 'the same query pages on')
})

test('issue 18: every time argument takes ISO 8601, and unix seconds are refused with TIME_IN_SECONDS', async () => {
  const args: Array<[string, string, Record<string, unknown>]> = [
    ['list_messages', 'before', { chat_id: alice.jid }],
    ['list_messages', 'after', { chat_id: alice.jid }],
    ['list_chats', 'updated_since', {}],
    ['list_recent_messages', 'since', {}],
    ['list_recent_messages', 'until', { since: iso(T0) }]
  ]
  for (const [tool, arg, rest] of args) {
    const secs = await call(client, tool, { ...rest, [arg]: T0 + 60 })
    assert.equal(secs.data.code, 'TIME_IN_SECONDS', `${tool}.${arg}: ${JSON.stringify(secs.data)}`)
    assert.match(String(secs.data.message), new RegExp(`${(T0 + 60) * 1000}`), 'the message names the milliseconds')
    const bad = await call(client, tool, { ...rest, [arg]: 'yesterday' })
    assert.equal(bad.data.code, 'TIME_INVALID', `${tool}.${arg}`)
    assert.equal((await call(client, tool, { ...rest, [arg]: iso(T0 + 60) })).ok, true, `${tool}.${arg} takes ISO 8601`)
  }
  const byIso = await messages({ chat_id: alice.jid, after: iso(T0 + 30), before: '2025-11-24T16:03:00Z' })
  const byMs = await messages({ chat_id: alice.jid, after: (T0 + 30) * 1000, before: (T0 + 180) * 1000 })
  assert.deepEqual(byIso.messages.map((m) => m.id), ['H3', 'H2'])
  assert.deepEqual(byMs, byIso)
  assert.deepEqual((await messages({ chat_id: alice.jid, after: '2025-11-24 17:01:30+01:00', before: '2025-11-24' })).messages, [], 'zones and date-only times read as written')
})

test('issue 18: list_recent_messages reads every chat since a time, either way round, paged; list_chats takes updated_since', async () => {
  const recent = async (a: Record<string, unknown>) => (await call(client, 'list_recent_messages', a)).data as { messages: Msg[]; next_cursor: string | null }
  const window = { since: iso(T0 + 30), until: iso(T0 + 150) }
  const oldest = await recent({ ...window, order: 'oldest_first' })
  assert.deepEqual(oldest.messages.map((m) => m.message_id), [`${bob.jid}:B1`, `${alice.jid}:H2`, `${groupJid}:G1`, `${alice.jid}:H3`])
  const p1 = await recent({ ...window, limit: 3 })
  assert.deepEqual(p1.messages.map((m) => m.id), ['H3', 'G1', 'H2'])
  const p2 = await recent({ ...window, limit: 3, cursor: p1.next_cursor })
  assert.deepEqual(p2.messages.map((m) => m.id), ['B1'])
  assert.equal(p2.next_cursor, null)
  assert.deepEqual((await recent({ ...window, from_me: true })).messages.map((m) => m.id), ['H2'])
  const since = (await call(client, 'list_chats', { updated_since: iso(T0 + 150), limit: 50 })).data.chats as Array<{ jid: string }>
  assert.ok(since.some((c) => c.jid === alice.jid) && !since.some((c) => c.jid === bob.jid), JSON.stringify(since.map((c) => c.jid)))
})

test('issue 18: a name works where a JID is expected when it is one contact or group; otherwise the candidates', async () => {
  const sent = await call(client, 'send_message', { recipient_jid: 'carol', message: 'by name' })
  assert.equal(sent.ok, true, JSON.stringify(sent.data))
  assert.equal(sent.data.chat_jid, carol.jid)
  await carol.waitFor((m) => (m.message.conversation ?? m.message.extendedTextMessage?.text) === 'by name')
  assert.equal(((await call(client, 'get_chat_by_id', { jid: 'Book Club' })).data.chat as { jid: string }).jid, groupJid)
  assert.equal(((await call(client, 'get_group_info', { group_jid: 'book club' })).data.group as { jid: string }).jid, groupJid)
  const twice = await call(client, 'list_messages', { chat_id: 'Sam' })
  assert.equal(twice.data.code, 'NAME_AMBIGUOUS')
  assert.deepEqual(((twice.data.data as { candidates: Array<{ jid: string }> }).candidates.map((c) => c.jid)).sort(), [samA.jid, samB.jid])
  assert.equal((await call(client, 'send_message', { recipient_jid: 'Nobody Here', message: 'x' })).data.code, 'WA_JID_INVALID')
})

test('issue 18: "00" numbers are international', async () => {
  assert.equal(((await call(client, 'get_chat_by_id', { jid: '0049 151 12345678' })).data.chat as { jid: string }).jid, bob.jid)
  assert.equal(((await call(client, 'get_direct_chat_by_contact_number', { phone_number: '004915112345678' })).data.chat as { jid: string }).jid, bob.jid)
})

test('issue 18: message fields: vCards keep their numbers, ids are chat_jid:id, media in snake_case, status by name', async () => {
  const cursor = (await call(client, 'get_updates', {})).data.next_cursor
  const card = await alice.sendContactCard(ACCOUNT, 'Ada L', '15550009999')
  const listed = await arrived(alice.jid, card.id)
  const cards = [{ name: 'Ada L', phones: [{ number: '+15550009999', jid: '15550009999@s.whatsapp.net' }] }]
  assert.equal(listed.body, 'Ada L')
  assert.deepEqual(listed.contact_cards, cards)
  assert.deepEqual(((await call(client, 'get_message_by_id', { message_id: listed.message_id })).data.message as Msg).contact_cards, cards)
  const events = (await call(client, 'get_updates', { since: cursor, kinds: ['message'] })).data.events as Array<{ message_id: string; text?: string }>
  assert.equal(events.find((e) => e.message_id === listed.message_id)?.text, 'Ada L', 'the event names the card, not its vCard text')

  const reply = await alice.sendText(ACCOUNT, 'about that', { quoted: { key: { id: 'H2', fromMe: true } } })
  assert.equal((await arrived(alice.jid, reply.id)).quoted_id, `${alice.jid}:H2`)
  const chat = ((await call(client, 'get_chat_by_id', { jid: alice.jid })).data.chat as { last_message: { message_id: string; id: string } }).last_message
  assert.equal(chat.message_id, `${alice.jid}:${chat.id}`)

  const voice = await alice.sendMedia(ACCOUNT, 'ptt', OGG, { mimetype: 'audio/ogg; codecs=opus', seconds: 3 })
  const media = (await arrived(alice.jid, voice.id)).media as Record<string, unknown>
  assert.equal(media.seconds, 3)
  assert.equal(typeof media.file_length, 'number')
  assert.ok(!Object.keys(media).some((k) => /[A-Z]/.test(k)), `snake_case: ${Object.keys(media).join(', ')}`)

  const mine = await call(client, 'send_message', { recipient_jid: alice.jid, message: 'status check' })
  const stored = await arrived(alice.jid, String(mine.data.message_id).split(':').at(-1)!)
  assert.ok(['pending', 'sent', 'delivered', 'read', 'played'].includes(stored.status as string), String(stored.status))
})

test('issue 18: download_media sends the bytes once, and a voice note as an audio block', async () => {
  const voice = await alice.sendMedia(ACCOUNT, 'ptt', OGG, { mimetype: 'audio/ogg; codecs=opus', seconds: 2 })
  await arrived(alice.jid, voice.id)
  const r = await call(client, 'download_media', { message_id: `${alice.jid}:${voice.id}`, include_full_data: true })
  assert.equal(r.ok, true, JSON.stringify(r.data))
  const content = r.raw.content as Array<{ type: string; text?: string; data?: string; mimeType?: string }>
  assert.deepEqual(content.map((c) => c.type), ['text', 'audio'])
  assert.ok(Buffer.from(content[1]!.data!, 'base64').equals(OGG))
  assert.equal(content[1]!.mimeType, 'audio/ogg')
  const base64 = OGG.toString('base64')
  assert.ok(!content[0]!.text!.includes(base64) && !JSON.stringify(r.raw.structuredContent).includes(base64), 'the bytes only in the audio block')
})

test('issue 18: search operators: words, "phrases", OR, -word, and c++ as written', async () => {
  const ids = async (query: string) => ((await call(client, 'search_messages', { query })).data.messages as Msg[]).map((m) => m.id).sort()
  assert.deepEqual(await ids('c++'), ['H3'], 'c++ is not every word starting with c')
  assert.deepEqual(await ids('cats OR cookie'), ['B1', 'H4'])
  assert.deepEqual(await ids('"at ten"'), ['H2'])
  assert.deepEqual(await ids('"ten at"'), [])
  assert.deepEqual(await ids('dune -cats'), ['G1'])
  assert.deepEqual(await ids('cook*'), ['H4'])
  for (const odd of ['NEAR(a b', '"', 'col:x AND', '*', '(((', 'a AND OR NOT b']) {
    const r = await call(client, 'search_messages', { query: odd })
    assert.equal(r.ok, true, `${odd}: ${JSON.stringify(r.data)}`)
  }
  assert.equal((await call(client, 'search_messages', { query: '-cats' })).data.code, 'INVALID_INPUT', 'only leaving out finds nothing to rank')
  const { tools } = await client.listTools()
  assert.match(tools.find((t) => t.name === 'search_messages')!.description!, /OR/)
})

// The tools through the real stack: MCP SDK client -> server -> Baileys worker -> emulator, and back.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync, mkdirSync, readFileSync } from 'node:fs'
import { readZip } from '../helpers/zip.js'
import { join } from 'node:path'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { startEmulator, type Emulator } from '../emulator/emulator.js'
import type { Person } from '../emulator/person.js'
import { call, until, type ServerProcess } from '../helpers/server-process.js'
import { startLinkedServer, type LinkedServer } from '../helpers/link.js'

const ACCOUNT = '15550001111'
const JPEG = Buffer.from('/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsOCwkJDRENDg8QEBEQCgwSExIQEw8QEBD/yQALCAABAAEBAREA/8wABgAQEAX/2gAIAQEAAD8A0s8g/9k=', 'base64')
let emu: Emulator
let linked: LinkedServer
let server: ServerProcess
let client: Client
let alice: Person
let bob: Person
let carol: Person
let groupJid: string

const chatOf = async (jid: string) => (await call(client, 'get_chat_by_id', { jid })).data.chat as Record<string, unknown>
const messagesOf = async (jid: string, limit = 50) => (await call(client, 'list_messages', { chat_id: jid, limit })).data.messages as Array<Record<string, unknown>>

before(async () => {
  emu = await startEmulator()
  alice = emu.person({ phone: '15550002222', name: 'Alice Liddell' })
  bob = emu.person({ phone: '4915112345678', name: 'Bob' })
  carol = emu.person({ phone: '15550004444', name: 'Carol' })
  const g = emu.createGroup('Book Club', alice, [ACCOUNT, bob, carol])
  groupJid = g.id
  emu.setHistory(ACCOUNT, {
    chats: [
      { jid: alice.phone, unread: 2, messages: [{ text: 'Shall we meet at the café tomorrow?', id: 'H1' }, { text: 'Sure, at ten', fromMe: true, id: 'H2' }, { text: 'Great', id: 'H3' }, { text: 'See you', id: 'H4' }] },
      { jid: groupJid, name: 'Book Club', messages: [{ from: alice.phone, text: 'Next book: Dune', id: 'G1' }, { from: bob.phone, text: 'Already read it', id: 'G2' }] }
    ]
  })
  linked = await startLinkedServer(emu, ACCOUNT, { WA_SEND_DEDUP_WINDOW_MS: '45000' })
  server = linked.server
  client = linked.client
  await until(async () => (await messagesOf(alice.jid)).length >= 4, 20_000, 'history stored')
})

after(async () => {
  await linked?.close()
  await emu?.close()
})

test('tools/list publishes all 57 tools with annotations and output schemas', async () => {
  const { tools } = await client.listTools()
  assert.equal(tools.length, 57)
  for (const t of tools) assert.ok(t.outputSchema && t.title && t.annotations, t.name)
})

test('list_chats shows the synced chats with names, unread counts and cursor paging', async () => {
  const all = (await call(client, 'list_chats', { limit: 10 })).data
  const chats = all.chats as Array<Record<string, unknown>>
  const a = chats.find((c) => c.jid === alice.jid)!
  assert.equal(a.name, 'Alice Liddell')
  assert.equal(a.unread_count, 2)
  assert.equal(chats.find((c) => c.jid === groupJid)?.name, 'Book Club')
  const p1 = (await call(client, 'list_chats', { limit: 1 })).data
  assert.equal((p1.chats as unknown[]).length, 1)
  const p2 = (await call(client, 'list_chats', { limit: 1, cursor: p1.next_cursor })).data
  assert.notEqual((p2.chats as Array<{ jid: string }>)[0]!.jid, (p1.chats as Array<{ jid: string }>)[0]!.jid)
  const bad = await call(client, 'list_chats', { cursor: 'nonsense' })
  assert.equal(bad.data.code, 'CURSOR_INVALID')
})

test('an incoming message raises the unread count and keeps the chat name', async () => {
  const m = await alice.sendText(ACCOUNT, 'are you there?')
  await until(async () => (await messagesOf(alice.jid)).some((x) => x.id === m.id), 15_000, 'incoming stored')
  const chat = await chatOf(alice.jid)
  assert.equal(chat.name, 'Alice Liddell')
  assert.equal(chat.unread_count, 3)
})

test('a repeated store read comes from the cache, and a write makes the next one fresh', async () => {
  const cache = async () => ((await (await fetch(`${server.url}/api/status`)).json()) as { mcp: { cache: { hits: number } } }).mcp.cache
  const first = await call(client, 'list_messages', { chat_id: alice.jid, limit: 7 })
  const hits = (await cache()).hits
  const again = await call(client, 'list_messages', { chat_id: alice.jid, limit: 7 })
  assert.deepEqual(again.data, first.data)
  assert.equal((await cache()).hits, hits + 1)
  const m = await alice.sendText(ACCOUNT, 'fresh after a cached read')
  const fresh = await until(async () => {
    const r = (await call(client, 'list_messages', { chat_id: alice.jid, limit: 7 })).data.messages as Array<{ id: string }>
    return r[0]?.id === m.id ? r : undefined
  }, 15_000, 'the new message in a repeated read')
  assert.equal(fresh.length, Math.min(7, (first.data.messages as unknown[]).length + 1))
})

test('a message addressed by LID lands in the same chat as the phone-number ones', async () => {
  const m = await alice.sendText(ACCOUNT, 'by lid', { addressing: 'lid' })
  await until(async () => (await messagesOf(alice.jid)).some((x) => x.id === m.id), 15_000, 'lid message in the phone chat')
  const chats = (await call(client, 'list_chats', { limit: 50 })).data.chats as Array<{ jid: string }>
  assert.ok(!chats.some((c) => c.jid === alice.lid), 'no separate LID chat')
  assert.equal(((await call(client, 'get_chat_by_id', { jid: alice.lid })).data.chat as { jid: string }).jid, alice.jid, 'the LID finds the phone-number chat')
})

test('send_message reaches the person, is stored, and respects dedup and idempotency keys', async () => {
  const r = await call(client, 'send_message', { recipient_jid: '+1 555-000-4444', message: 'hello carol' })
  assert.equal(r.ok, true, JSON.stringify(r.data))
  assert.equal(r.data.deduplicated, false)
  await carol.waitFor((m) => (m.message.conversation ?? m.message.extendedTextMessage?.text) === 'hello carol')
  assert.ok((await messagesOf(carol.jid)).some((m) => m.body === 'hello carol' && m.from_me === true))
  const again = await call(client, 'send_message', { recipient_jid: carol.jid, message: 'hello carol' })
  assert.equal(again.data.deduplicated, true)
  assert.equal(again.data.message_id, r.data.message_id)

  const [k1, k2] = await Promise.all([
    call(client, 'send_message', { recipient_jid: carol.jid, message: 'keyed', idempotency_key: 'k-1' }),
    call(client, 'send_message', { recipient_jid: carol.jid, message: 'keyed', idempotency_key: 'k-1' })
  ])
  assert.equal(k1.data.message_id, k2.data.message_id)
  assert.equal([k1.data.deduplicated, k2.data.deduplicated].filter(Boolean).length, 1)
  const conflict = await call(client, 'send_message', { recipient_jid: carol.jid, message: 'other text', idempotency_key: 'k-1' })
  assert.equal(conflict.data.code, 'IDEMPOTENCY_KEY_CONFLICT')
  const keyed = carol.inbox.filter((m) => (m.message.conversation ?? m.message.extendedTextMessage?.text) === 'keyed')
  assert.equal(keyed.length, 1)
})

test('send_message with reply_to quotes the stored message', async () => {
  const r = await call(client, 'send_message', { recipient_jid: alice.jid, message: 'answering that', reply_to: `${alice.jid}:H1` })
  assert.equal(r.ok, true, JSON.stringify(r.data))
  const got = await alice.waitFor((m) => m.id === (r.data.message_id as string).split(':').pop())
  assert.equal(got.message.extendedTextMessage?.contextInfo?.stanzaId, 'H1')
  const missing = await call(client, 'send_message', { recipient_jid: alice.jid, message: 'x', reply_to: `${alice.jid}:NOPE` })
  assert.equal(missing.data.code, 'MESSAGE_NOT_FOUND')
})

test('a message the account sends from its phone is stored too', async () => {
  const phone = emu.phoneOf(ACCOUNT)
  const sent = await phone.fromMe(bob.jid, { conversation: 'sent from the phone' })
  await until(async () => (await messagesOf(bob.jid)).some((m) => m.id === sent.id && m.from_me === true), 15_000, 'phone-sent message stored')
})

test('search_messages is full-text, accent-insensitive, with snippets and scope', async () => {
  const r = (await call(client, 'search_messages', { query: 'cafe' })).data
  const hits = r.messages as Array<{ id: string; snippet: string }>
  assert.equal(hits[0]?.id, 'H1')
  assert.match(hits[0]!.snippet, /\[café\]/)
  const scoped = (await call(client, 'search_messages', { query: 'dune', chat_id: groupJid })).data.messages as unknown[]
  assert.equal(scoped.length, 1)
  assert.equal(((await call(client, 'search_messages', { query: 'dune', chat_id: alice.jid })).data.messages as unknown[]).length, 0)
})

test('get_message_context returns a real window around the target', async () => {
  const r = (await call(client, 'get_message_context', { message_id: `${alice.jid}:H2`, limit: 1 })).data
  assert.equal((r.target as { id: string }).id, 'H2')
  assert.deepEqual((r.before as Array<{ id: string }>).map((m) => m.id), ['H1'])
  assert.deepEqual((r.after as Array<{ id: string }>).map((m) => m.id), ['H3'])
})

test('resolve_contact and get_chat_by_contact find people by name and anchored number', async () => {
  const r = (await call(client, 'resolve_contact', { query: 'alice' })).data.matches as Array<{ jid: string; score: number }>
  assert.equal(r[0]?.jid, alice.jid)
  const partial = (await call(client, 'resolve_contact', { query: '12345' })).data.matches as unknown[]
  assert.equal(partial.length, 0, 'a number fragment from the middle matches nobody')
  const chat = (await call(client, 'get_chat_by_contact', { query: 'Alice Liddell' })).data
  assert.equal((chat.chat as { jid: string }).jid, alice.jid)
})

test('group info and audits read the store, exclude the account, and page', async () => {
  const info = (await call(client, 'get_group_info', { group_jid: groupJid })).data
  assert.equal((info.group as { subject: string }).subject, 'Book Club')
  assert.equal((info.group as { participants: unknown[] }).participants.length, 4)
  const audit = (await call(client, 'run_group_audit', {})).data
  const noDirect = audit.without_direct_chat as Array<{ jid: string }>
  assert.ok(!noDirect.some((m) => m.jid.startsWith(ACCOUNT)), 'the account is never a member of its own audit')
  // earlier tests wrote to Alice, Bob and Carol directly: the audit must agree with the chats the store has
  const chats = new Set(((await call(client, 'list_chats', { limit: 50 })).data.chats as Array<{ jid: string }>).map((c) => c.jid))
  const members = audit.not_in_contacts as Array<{ jid: string; has_direct_chat: boolean }>
  assert.deepEqual(members.map((m) => m.jid).sort(), [alice.jid, bob.jid, carol.jid].sort())
  for (const m of members) assert.equal(m.has_direct_chat, chats.has(m.jid), m.jid)
  assert.deepEqual(noDirect.map((m) => m.jid).sort(), members.filter((m) => !chats.has(m.jid)).map((m) => m.jid).sort())
  const page1 = (await call(client, 'find_members_not_in_contacts', { limit: 1 })).data
  assert.equal((page1.members as unknown[]).length, 1)
  assert.ok(page1.next_cursor)
})

test('media: an incoming image downloads; send_media sends base64 and refuses paths outside the media roots', async () => {
  const img = await alice.sendMedia(ACCOUNT, 'image', JPEG, { caption: 'a picture' })
  await until(async () => (await messagesOf(alice.jid)).some((m) => m.id === img.id), 15_000, 'image stored')
  const dl = await call(client, 'download_media', { message_id: `${alice.jid}:${img.id}`, include_full_data: true })
  assert.equal(dl.ok, true, JSON.stringify(dl.data))
  const blocks = dl.raw.content as Array<{ type: string; data?: string }>
  assert.deepEqual(blocks.map((c) => c.type), ['text', 'image'], 'the bytes once, as an image block')
  assert.equal(Buffer.from(blocks[1]!.data!, 'base64').equals(JPEG), true)
  assert.equal(dl.data.data_block, 'image')
  assert.ok(!('data' in dl.data) && !blocks[0]!.data, 'no base64 in structuredContent or the text')

  const sent = await call(client, 'send_media', { recipient_jid: carol.jid, media_content: JPEG.toString('base64'), caption: 'for you' })
  assert.equal(sent.ok, true, JSON.stringify(sent.data))
  assert.equal(sent.data.kind, 'image')
  const got = await carol.waitFor((m) => !!m.message.imageMessage)
  assert.deepEqual(await emu.media.readMedia(got.message.imageMessage!, 'image'), JPEG)

  const outside = await call(client, 'send_media', { recipient_jid: carol.jid, media_path: '/etc/passwd' })
  assert.equal(outside.data.code, 'MEDIA_PATH_FORBIDDEN')
  mkdirSync(join(server.dataDir, 'media'), { recursive: true })
  writeFileSync(join(server.dataDir, 'media', 'note.txt'), 'plain text file')
  const doc = await call(client, 'send_media', { recipient_jid: carol.jid, media_path: 'note.txt' })
  assert.equal(doc.data.kind, 'document')
})

test('expired media: download_media asks the phone to upload it again, then succeeds', async () => {
  const img = await bob.sendMedia(ACCOUNT, 'image', JPEG, { caption: 'will expire' })
  await until(async () => (await messagesOf(bob.jid)).some((m) => m.id === img.id), 15_000, 'stored')
  emu.media.expire(img.directPath)
  const reuploads = new Promise((resolve) => emu.once('media-reupload', resolve))
  const dl = await call(client, 'download_media', { message_id: `${bob.jid}:${img.id}`, include_full_data: true })
  assert.equal(dl.ok, true, JSON.stringify(dl.data))
  await reuploads
  assert.equal(dl.data.reuploaded, true)
  assert.ok(Buffer.from((dl.raw.content as Array<{ data?: string }>)[1]!.data!, 'base64').equals(JPEG))
})

test('export: a chat ZIP with chat.json (every message) and its downloaded media', async () => {
  const r = await fetch(`${server.url}/api/export/chat/${encodeURIComponent(alice.jid)}?include_media=true`)
  assert.equal(r.status, 200)
  assert.equal(r.headers.get('content-type'), 'application/zip')
  const zip = readZip(Buffer.from(await r.arrayBuffer()))
  const chat = JSON.parse(zip.get('chat.json')!.toString()) as { chat: { jid: string }; messages: Array<{ id: string; media_file?: string }>; media: Array<{ file: string }> }
  assert.equal(chat.chat.jid, alice.jid)
  assert.ok(chat.messages.some((m) => m.id === 'H1'))
  const withFile = chat.messages.find((m) => m.media_file)
  assert.ok(withFile, 'the image downloaded earlier is in the export')
  assert.ok(zip.get(withFile.media_file!)?.equals(JPEG))
  assert.equal((await fetch(`${server.url}/api/export/chat/${encodeURIComponent('999999999@s.whatsapp.net')}`)).status, 404)
})

test('auto-download: with the setting on, incoming media lands in MEDIA_DIR by itself', async () => {
  const s = await fetch(`${server.url}/api/settings`, { method: 'POST', body: JSON.stringify({ auto_download_media: true }) })
  assert.equal(s.status, 200)
  const img = await bob.sendMedia(ACCOUNT, 'image', JPEG, { caption: 'auto' })
  await until(() => {
    try {
      return readFileSync(join(server.dataDir, 'media', bob.jid.replace(/[^0-9a-z@.-]/gi, '_'), `${img.id}.jpg`)).equals(JPEG)
    } catch {
      return false
    }
  }, 20_000, 'the auto-downloaded file')
})

test('reactions, edits and revokes update the stored message', async () => {
  const m = await alice.sendText(ACCOUNT, 'original text')
  await until(async () => (await messagesOf(alice.jid)).some((x) => x.id === m.id), 15_000, 'stored')
  await alice.react(ACCOUNT, { id: m.id, remoteJid: alice.jid }, '❤️')
  await alice.edit(ACCOUNT, { id: m.id, remoteJid: alice.jid }, 'edited text')
  const r = await until(async () => {
    const x = (await call(client, 'get_message_by_id', { message_id: `${alice.jid}:${m.id}` })).data.message as { body: string; edited?: boolean; reactions?: Array<{ emoji: string }> }
    return x.edited && x.reactions?.length ? x : undefined
  }, 15_000, 'edit and reaction applied')
  assert.equal(r.body, 'edited text')
  assert.equal(r.reactions![0]!.emoji, '❤️')
  await alice.revoke(ACCOUNT, { id: m.id, remoteJid: alice.jid })
  await until(async () => ((await call(client, 'get_message_by_id', { message_id: `${alice.jid}:${m.id}` })).data.message as { revoked?: boolean }).revoked, 15_000, 'revoked')
})

test('a poll and its votes: the votes are decrypted with the poll secret and named', async () => {
  const poll = await alice.sendPoll(ACCOUNT, 'Lunch?', ['Pizza', 'Sushi', 'Salad'])
  await until(async () => (await messagesOf(alice.jid)).some((m) => m.id === poll.id), 15_000, 'the poll stored')
  await alice.vote(ACCOUNT, { id: poll.id, creatorJid: poll.creatorJid, secret: poll.secret }, ['Sushi'])
  const m = await until(async () => {
    const x = (await call(client, 'get_message_by_id', { message_id: `${alice.jid}:${poll.id}` })).data.message as { type: string; body: string; poll_votes?: Array<{ voter_jid: string; selected: string[] }> }
    return x.poll_votes?.length ? x : undefined
  }, 15_000, 'the vote')
  assert.equal(m.type, 'poll')
  assert.match(m.body, /Lunch\?/)
  assert.deepEqual(m.poll_votes, [{ voter_jid: alice.jid, selected: ['Sushi'] }])
})

test('group participants stay current from group events', async () => {
  const dave = emu.person({ phone: '15550008888', name: 'Dave' })
  const g = emu.dir.groups.get(groupJid)!
  g.participants.push({ acc: dave.acc })
  emu.notifyGroup(g, { tag: 'add', attrs: {}, content: [{ tag: 'participant', attrs: { jid: dave.lid, phone_number: dave.jid } }] }, alice.acc)
  await until(async () => {
    const gi = (await call(client, 'get_group_info', { group_jid: groupJid })).data.group as { participants: Array<{ jid: string }> }
    return gi.participants.some((p) => p.jid === dave.jid)
  }, 15_000, 'the new participant')
})

test('the remaining tools, each on its main path and its error path', async () => {
  // contacts
  assert.equal(((await call(client, 'get_contact_by_id', { jid: alice.lid })).data.contact as { jid: string }).jid, alice.jid)
  assert.equal((await call(client, 'get_contact_by_id', { jid: '19999999999' })).data.code, 'CONTACT_NOT_FOUND')
  const url = alice.setProfilePicture(JPEG)
  assert.equal((await call(client, 'get_profile_pic', { jid: alice.jid })).data.url, url)
  assert.equal((await call(client, 'get_profile_pic', { jid: bob.jid })).data.url, null)
  assert.equal((await call(client, 'get_profile_pic', { jid: 'garbage' })).data.code, 'WA_JID_INVALID')
  // chats
  const groups = (await call(client, 'list_groups', {})).data.chats as Array<{ jid: string; is_group: boolean }>
  assert.ok(groups.length >= 1 && groups.every((g) => g.is_group))
  assert.equal((await call(client, 'list_groups', { limit: 0 })).ok, false)
  assert.deepEqual((await call(client, 'list_system_chats', {})).data.chats, [])
  assert.equal((await call(client, 'list_system_chats', { cursor: 'x' })).data.code, 'CURSOR_INVALID')
  assert.equal(((await call(client, 'get_direct_chat_by_contact_number', { phone_number: '+1 (555) 000-2222' })).data.chat as { jid: string }).jid, alice.jid)
  assert.equal((await call(client, 'get_direct_chat_by_contact_number', { phone_number: '+1 555 123' })).data.code, 'CHAT_NOT_FOUND')
  assert.equal((await call(client, 'get_chat_by_id', { jid: '19999999999' })).data.code, 'CHAT_NOT_FOUND')
  assert.equal((await call(client, 'get_chat_by_contact', { query: 'zzzz nobody' })).data.code, 'CONTACT_NOT_FOUND')
  // audits
  const overlaps = (await call(client, 'analyze_group_overlaps', { min_shared_groups: 2 })).data
  assert.equal(overlaps.groups_processed, 1)
  assert.deepEqual(overlaps.members, [], 'with one group nobody shares two')
  assert.equal((await call(client, 'analyze_group_overlaps', { min_shared_groups: 1 })).ok, false)
  const noDirect = (await call(client, 'find_members_without_direct_chat', {})).data.members as Array<{ jid: string }>
  assert.ok(!noDirect.some((m) => m.jid === alice.jid), 'Alice has a direct chat')
  assert.equal((await call(client, 'find_members_without_direct_chat', { group_limit: -1 })).ok, false)
  assert.equal((await call(client, 'find_members_not_in_contacts', { cursor: 'bad' })).data.code, 'CURSOR_INVALID')
  assert.equal((await call(client, 'run_group_audit', { limit: 5000 })).ok, false)
  // messages
  assert.ok(((await call(client, 'get_last_interaction', { jid: alice.jid })).data.message as { timestamp: number }).timestamp > 0)
  assert.equal((await call(client, 'get_last_interaction', { jid: '19999999999' })).data.code, 'MESSAGE_NOT_FOUND')
  assert.equal((await call(client, 'list_messages', { chat_id: '19999999999' })).data.code, 'CHAT_NOT_FOUND')
  assert.equal((await call(client, 'search_messages', { query: '' })).ok, false)
  assert.equal((await call(client, 'get_message_context', { message_id: `${alice.jid}:NOPE` })).data.code, 'MESSAGE_NOT_FOUND')
  // media
  const staged = await call(client, 'stage_media', { media_content: Buffer.from('staged text').toString('base64'), filename: 'note.txt' })
  assert.equal(staged.ok, true, JSON.stringify(staged.data))
  assert.equal(await (await fetch(`${server.url}${staged.data.url as string}`)).text(), 'staged text')
  assert.equal((await call(client, 'stage_media', { media_url: 'file:///etc/passwd' })).data.code, 'INVALID_INPUT')
  // SSRF: the server's own loopback (and any private address) is off limits for media_url
  assert.equal((await call(client, 'stage_media', { media_url: `${server.url}/healthz` })).data.code, 'URL_FORBIDDEN')
  assert.equal((await call(client, 'send_media', { recipient_jid: carol.jid, media_url: 'http://169.254.169.254/latest/meta-data/' })).data.code, 'URL_FORBIDDEN')
  let localHits = 0
  const local = createServer((_req, res) => res.end('internal')).on('connection', () => localHits++)
  await new Promise<void>((r) => local.listen(0, '127.0.0.1', r))
  const localPort = (local.address() as AddressInfo).port
  for (const url of [`http://localhost:${localPort}/a.jpg`, `http://[::ffff:127.0.0.1]:${localPort}/a.jpg`, `http://2130706433:${localPort}/a.jpg`]) {
    assert.equal((await call(client, 'send_media', { recipient_jid: carol.jid, media_url: url })).data.code, 'URL_FORBIDDEN', url)
  }
  local.close()
  assert.equal(localHits, 0, 'send_media never connected to the local server')
  assert.equal((await call(client, 'stage_media', {})).data.code, 'INVALID_INPUT')
  assert.equal((await call(client, 'download_media', { message_id: `${alice.jid}:H1` })).data.code, 'MEDIA_NOT_FOUND')
  // link
  assert.equal((await call(client, 'force_resync', {})).data.started, true)
  assert.equal((await call(client, 'get_qr_code', {})).data.code, 'WA_ALREADY_LINKED')
})

test('bad input gets coded errors and the server keeps serving', async () => {
  assert.equal((await call(client, 'send_message', { recipient_jid: 'not a jid', message: 'x' })).data.code, 'WA_JID_INVALID')
  assert.equal((await call(client, 'get_message_by_id', { message_id: 'nope:nope' })).data.code, 'MESSAGE_NOT_FOUND')
  const wrongType = await client.callTool({ name: 'list_chats', arguments: { limit: 'ten' } })
  assert.equal(wrongType.isError, true)
  // regressions: an unknown argument was dropped silently (unread_only listed every chat, chat_jid searched all)
  for (const [tool, args, name] of [['list_chats', { unread_only: true }, 'unread_only'], ['search_messages', { query: 'Dune', chat_jid: groupJid }, 'chat_jid']] as const) {
    const r = await call(client, tool, args)
    assert.equal(r.data.code, 'INVALID_INPUT', tool)
    assert.match(String(r.data.message), new RegExp(`${name}.*accepted: .*(only_unread|chat_id)`), tool)
  }
  assert.equal((await call(client, 'ping')).data.reply, 'pong')
})

// A credential scoped to two chats and the read toolset, end to end: a server linked to the emulator, the
// credential made through /api/credentials, then every read tool, resource, event and notification seen
// through the SDK v1 client (2025) with that token, and one call through the SDK v2 client on the 2026
// stateless path. Only the two chats ever show; other chats and sends fail with the documented codes.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js'
import { z } from 'zod'
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client'
import { startEmulator, type Emulator } from '../emulator/emulator.js'
import type { Person } from '../emulator/person.js'
import { call, startServerProcess, until, type ServerProcess } from '../helpers/server-process.js'
import { linkViaMcp } from '../helpers/link.js'

const ACCOUNT = '15550009100'
const STATIC = 'static-token-for-the-scope-test-0123456789'
const ADMIN = 'admin-token-for-the-scope-test-0123456789'
let emu: Emulator
let server: ServerProcess
let admin: Client
let reader: Client
let readerToken: string
let readerId: string
let alice: Person
let bob: Person
let carol: Person
let groupJid: string
let allowed: Set<string>
/** what the Claude Code channel pushed to each session: the chat of each message */
const channel = { reader: [] as string[], admin: [] as string[] }
const ChannelNotification = z.object({ method: z.literal('notifications/claude/channel'), params: z.object({ content: z.string(), meta: z.record(z.string(), z.string()) }) })

const api = async (method: string, path: string, body?: unknown) => {
  const r = await fetch(`${server.url}${path}`, { method, headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })
  return { status: r.status, body: (await r.json()) as Record<string, any> }
}
const ok = async (c: Client, name: string, args: Record<string, unknown> = {}) => {
  const r = await call(c, name, args)
  assert.equal(r.ok, true, `${name}: ${JSON.stringify(r.data)}`)
  return r.data as Record<string, any>
}
const code = async (c: Client, name: string, args: Record<string, unknown>) => (await call(c, name, args)).data.code
const jidsOf = (chats: Array<{ jid: string }>) => chats.map((c) => c.jid)
const onlyAllowed = (jids: string[], what: string) => {
  for (const j of jids) assert.ok(allowed.has(j), `${what} shows ${j}, outside the scope`)
}

before(async () => {
  emu = await startEmulator()
  alice = emu.person({ phone: '15550009101', name: 'Alice Scope' })
  bob = emu.person({ phone: '15550009102', name: 'Bob Scope' })
  carol = emu.person({ phone: '15550009103', name: 'Carol Scope' })
  groupJid = emu.createGroup('Scoped Club', alice, [ACCOUNT, bob, carol]).id
  emu.setHistory(ACCOUNT, {
    chats: [
      { jid: alice.phone, unread: 1, messages: [{ text: 'apple from alice', id: 'A1' }, { text: 'second apple', id: 'A2' }] },
      { jid: bob.phone, unread: 1, messages: [{ text: 'apple from bob', id: 'B1' }] },
      { jid: carol.phone, messages: [{ text: 'apple from carol', id: 'C1' }] },
      { jid: groupJid, name: 'Scoped Club', messages: [{ from: bob.phone, text: 'apple in the group', id: 'G1' }] }
    ]
  })
  server = await startServerProcess(emu, { MCP_AUTH_TOKEN: STATIC, ADMIN_TOKEN: ADMIN, CLAUDE_CHANNEL_CHATS: '*' })
  admin = await server.mcp({ token: STATIC })
  await linkViaMcp(admin, emu, ACCOUNT)
  await until(async () => ((await call(admin, 'list_chats', { limit: 50 })).data.chats as unknown[] | undefined)?.length === 4 || undefined, 20_000, 'history stored')
  allowed = new Set([alice.jid, groupJid])
  const made = await api('POST', '/api/credentials', { name: 'reader', toolsets: ['read'], chats: { allow: [`+${alice.phone}`, groupJid] } })
  assert.equal(made.status, 201, JSON.stringify(made.body))
  readerToken = made.body.token
  readerId = made.body.credential.id
  assert.match(readerToken, /^wms_[A-Za-z0-9_-]{43}$/)
  assert.deepEqual(made.body.credential.chats, { mode: 'allow', jids: [alice.jid, groupJid] })
  reader = await server.mcp({ token: readerToken })
  reader.setNotificationHandler(ChannelNotification, (n) => void channel.reader.push(n.params.meta.chat_id!))
  admin.setNotificationHandler(ChannelNotification, (n) => void channel.admin.push(n.params.meta.chat_id!))
})

after(async () => {
  await reader?.close()
  await admin?.close()
  await server?.stop()
  await emu?.close()
})

test('the admin API refuses a scope naming chats this store has never seen, and never lists a token', async () => {
  const bad = await api('POST', '/api/credentials', { name: 'typo', toolsets: ['read'], chats: { allow: ['19999999999@s.whatsapp.net'] } })
  assert.equal(bad.status, 400)
  assert.equal(bad.body.error.code, 'CREDENTIALS_INVALID')
  assert.deepEqual(bad.body.error.data.unknown, ['19999999999@s.whatsapp.net'])
  const list = await api('GET', '/api/credentials')
  assert.ok(list.body.credentials.some((c: { id: string }) => c.id === readerId))
  assert.ok(!JSON.stringify(list.body).includes(readerToken))
})

test('tools/list shows the credential only the read tools; a send is TOOL_FORBIDDEN', async () => {
  const all = (await admin.listTools()).tools.map((t) => t.name)
  const mine = (await reader.listTools()).tools.map((t) => t.name)
  assert.equal(all.length, 57)
  assert.equal(mine.length, 22)
  for (const name of ['send_message', 'send_media', 'mark_read', 'logout', 'get_qr_code', 'run_group_audit']) assert.ok(!mine.includes(name), name)
  for (const name of ['list_chats', 'search_messages', 'get_updates', 'wait_for_messages', 'download_media']) assert.ok(mine.includes(name), name)
  assert.equal(await code(reader, 'send_message', { recipient_jid: alice.jid, message: 'no' }), 'TOOL_FORBIDDEN')
  assert.equal(await code(reader, 'logout', {}), 'TOOL_FORBIDDEN')
})

test('chat lists show only the two chats, and pages stay full', async () => {
  const chats = (await ok(reader, 'list_chats', { limit: 50 })).chats
  assert.deepEqual(new Set(jidsOf(chats)), allowed)
  const p1 = await ok(reader, 'list_chats', { limit: 1 })
  assert.equal(p1.chats.length, 1)
  assert.ok(p1.next_cursor)
  const p2 = await ok(reader, 'list_chats', { limit: 1, cursor: p1.next_cursor })
  assert.equal(p2.chats.length, 1)
  assert.equal(p2.next_cursor, null)
  assert.deepEqual(new Set([...jidsOf(p1.chats), ...jidsOf(p2.chats)]), allowed)
  onlyAllowed(jidsOf((await ok(reader, 'list_chats', { limit: 50, query: 'Scope' })).chats), 'list_chats query')
  assert.deepEqual(jidsOf((await ok(reader, 'list_groups', {})).chats), [groupJid])
  onlyAllowed(jidsOf((await ok(reader, 'list_chats', { only_unread: true })).chats), 'unread chats')
  // the static token still sees everything: the answers of one are never the cache's answers for the other
  assert.ok(jidsOf((await ok(admin, 'list_chats', { limit: 50 })).chats).includes(bob.jid))
  assert.deepEqual(new Set(jidsOf((await ok(reader, 'list_chats', { limit: 50 })).chats)), allowed)
})

test('a chat outside the scope is CHAT_FORBIDDEN for every tool that names it, whether it exists or not', async () => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ['get_chat_by_id', { jid: bob.jid }],
    ['get_chat_by_id', { jid: '19999999999@s.whatsapp.net' }],
    ['get_direct_chat_by_contact_number', { phone_number: `+${bob.phone}` }],
    ['list_messages', { chat_id: bob.jid }],
    ['list_messages', { chat_id: '19999999999' }],
    ['search_messages', { query: 'apple', chat_id: carol.jid }],
    ['get_message_by_id', { message_id: `${bob.jid}:B1` }],
    ['get_message_context', { message_id: `${bob.jid}:B1` }],
    ['get_last_interaction', { jid: bob.jid }],
    ['get_contact_by_id', { jid: bob.jid }],
    ['download_media', { message_id: `${bob.jid}:B1` }],
    ['get_updates', { chats: [bob.jid] }],
    ['wait_for_messages', { chat_id: carol.jid, timeout_s: 1 }]
  ]
  for (const [name, args] of cases) assert.equal(await code(reader, name, args), 'CHAT_FORBIDDEN', `${name} ${JSON.stringify(args)}`)
  // a bare message id found in another chat is simply not found
  assert.equal(await code(reader, 'get_message_by_id', { message_id: 'B1' }), 'MESSAGE_NOT_FOUND')
  assert.equal((await ok(reader, 'get_chat_by_id', { jid: alice.jid })).chat.jid, alice.jid)
  assert.equal((await ok(reader, 'list_messages', { chat_id: groupJid })).messages.length, 1)
})

test('the group, chat and account actions on a chat or group outside the scope are CHAT_FORBIDDEN, before WhatsApp is asked', async () => {
  const made = await api('POST', '/api/credentials', { name: 'actor', toolsets: ['send', 'groups', 'account'], chats: { allow: [`+${alice.phone}`, groupJid] } })
  assert.equal(made.status, 201, JSON.stringify(made.body))
  const actor = await server.mcp({ token: made.body.token })
  try {
    const outside = '120363999999999999@g.us'
    const cases: Array<[string, Record<string, unknown>]> = [
      ['update_group_participants', { group_jid: outside, action: 'add', participants: [alice.jid] }],
      ['update_group', { group_jid: outside, subject: 'x' }],
      ['get_group_invite_link', { group_jid: outside }],
      ['leave_group', { group_jid: outside }],
      ['group_join_requests', { group_jid: outside }],
      ['update_chat', { chat_id: bob.jid, archive: true }],
      ['vote_poll', { message_id: `${bob.jid}:B1`, options: ['x'] }],
      ['block_contact', { contact_jid: bob.jid }],
      ['unblock_contact', { contact_jid: `+${carol.phone}` }]
    ]
    for (const [name, args] of cases) assert.equal(await code(actor, name, args), 'CHAT_FORBIDDEN', `${name} ${JSON.stringify(args)}`)
    assert.equal(await code(actor, 'update_chat', { chat_id: alice.jid }), 'INVALID_INPUT', 'a chat inside the scope gets as far as its own checks')
  } finally {
    await actor.close()
  }
})

test('searches and contacts leave out everything outside the scope', async () => {
  const found = (await ok(reader, 'search_messages', { query: 'apple', limit: 50 })).messages as Array<{ chat_jid: string }>
  assert.equal(found.length, 3)
  onlyAllowed(found.map((m) => m.chat_jid), 'search_messages')
  const short = (await ok(reader, 'search_messages', { query: 'ap', limit: 50 })).messages as Array<{ chat_jid: string }>
  onlyAllowed(short.map((m) => m.chat_jid), 'search_messages (substring)')
  const everyone = (await ok(admin, 'search_messages', { query: 'apple', limit: 50 })).messages as unknown[]
  assert.equal(everyone.length, 5)
  const contacts = (await ok(reader, 'search_contacts', { query: 'Scope' })).contacts as Array<{ jid: string }>
  assert.ok(contacts.some((c) => c.jid === alice.jid))
  onlyAllowed(contacts.map((c) => c.jid), 'search_contacts')
  const matches = (await ok(reader, 'resolve_contact', { query: 'Bob Scope' })).matches as unknown[]
  assert.equal(matches.length, 0)
})

test('resources show only the two chats; another chat\'s resource is CHAT_FORBIDDEN', async () => {
  const read = async (uri: string) => JSON.parse(String(((await reader.readResource({ uri })).contents[0] as { text: string }).text)) as Record<string, any>
  assert.deepEqual(new Set(jidsOf((await read('whatsapp://chats')).chats)), allowed)
  onlyAllowed(jidsOf((await read('whatsapp://inbox')).chats), 'whatsapp://inbox')
  assert.equal((await read(`whatsapp://chats/${encodeURIComponent(bob.jid)}`)).error.code, 'CHAT_FORBIDDEN')
  assert.equal((await read(`whatsapp://chats/${encodeURIComponent(alice.jid)}`)).chat.jid, alice.jid)
})

test('events: get_updates, wait_for_messages and resource notifications carry only the two chats', async () => {
  const heard: string[] = []
  reader.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void heard.push(n.params.uri))
  const bobUri = `whatsapp://chats/${encodeURIComponent(bob.jid)}`
  const aliceUri = `whatsapp://chats/${encodeURIComponent(alice.jid)}`
  await reader.subscribeResource({ uri: bobUri })
  await reader.subscribeResource({ uri: aliceUri })
  await new Promise((r) => setTimeout(r, 500))
  const since = (await ok(reader, 'get_updates', {})).next_cursor
  const waiting = call(reader, 'wait_for_messages', { since, timeout_s: 30 })
  await bob.sendText(ACCOUNT, 'bob writes first')
  await carol.sendText(ACCOUNT, 'carol writes too')
  await until(async () => ((await ok(admin, 'list_messages', { chat_id: carol.jid })).messages as Array<{ body?: string }>).some((m) => m.body === 'carol writes too') || undefined, 15_000, 'carol stored')
  const fromAlice = await alice.sendText(ACCOUNT, 'alice writes last')
  const woke = await waiting
  assert.equal(woke.ok, true, JSON.stringify(woke.data))
  assert.deepEqual((woke.data.messages as Array<{ chat_jid: string; id: string }>).map((m) => [m.chat_jid, m.id]), [[alice.jid, fromAlice.id]])
  await until(() => heard.includes(aliceUri) || undefined, 15_000, 'the notification for alice')
  assert.ok(!heard.includes(bobUri), 'a notification for a chat outside the scope')
  // the Claude Code channel pushes each session only the chats its credential may read
  await until(() => (channel.reader.includes(alice.jid) && channel.admin.includes(alice.jid)) || undefined, 15_000, 'the channel pushes')
  assert.ok(channel.admin.includes(bob.jid) && channel.admin.includes(carol.jid), `the static token's channel: ${channel.admin.join(', ')}`)
  onlyAllowed(channel.reader, 'the Claude Code channel')
  const events = (await ok(reader, 'get_updates', { since, limit: 500 })).events as Array<{ chat_jid?: string }>
  assert.ok(events.some((e) => e.chat_jid === alice.jid))
  onlyAllowed(events.flatMap((e) => (e.chat_jid ? [e.chat_jid] : [])), 'get_updates')
  const all = (await ok(admin, 'get_updates', { since, limit: 500 })).events as Array<{ chat_jid?: string }>
  assert.ok(all.some((e) => e.chat_jid === bob.jid), 'the static token hears bob')
})

test('the 2026 stateless path judges the same credential: its tools and chats only', async () => {
  const v2 = new ClientV2({ name: 'scope-v2', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } })
  await v2.connect(new TransportV2(new URL(`${server.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${readerToken}` } } }))
  try {
    assert.equal(v2.getNegotiatedProtocolVersion(), '2026-07-28')
    const tools = (await v2.listTools()).tools.map((t) => t.name)
    assert.equal(tools.length, 22)
    const r = (await v2.callTool({ name: 'list_chats', arguments: { limit: 50 } })) as { structuredContent: { chats: Array<{ jid: string }> } }
    assert.deepEqual(new Set(jidsOf(r.structuredContent.chats)), allowed)
    const denied = (await v2.callTool({ name: 'list_messages', arguments: { chat_id: bob.jid } })) as { isError?: boolean; content: Array<{ text: string }>; structuredContent?: { error: { code: string } } }
    assert.equal(denied.isError, true)
    // the text starts with the code; a 2026 client also gets the error object as structuredContent
    assert.match(denied.content[0]!.text, /^CHAT_FORBIDDEN: /)
    assert.equal(denied.structuredContent?.error.code, 'CHAT_FORBIDDEN')
    // a listen stream hears of the chats in scope only, the chat list included
    const heard: string[] = []
    v2.setNotificationHandler('notifications/resources/updated', (n) => void heard.push(n.params.uri))
    const bobUri = `whatsapp://chats/${encodeURIComponent(bob.jid)}`
    const aliceUri = `whatsapp://chats/${encodeURIComponent(alice.jid)}`
    const sub = await v2.listen({ resourceSubscriptions: ['whatsapp://chats', bobUri, aliceUri] })
    await bob.sendText(ACCOUNT, 'bob on the 2026 path')
    await until(async () => ((await ok(admin, 'list_messages', { chat_id: bob.jid })).messages as Array<{ body?: string }>).some((m) => m.body === 'bob on the 2026 path') || undefined, 15_000, 'bob stored')
    await new Promise((r) => setTimeout(r, 300))
    assert.equal(heard.length, 0, `a change outside the scope was announced: ${heard.join(', ')}`)
    await alice.sendText(ACCOUNT, 'alice on the 2026 path')
    await until(() => (heard.includes(aliceUri) && heard.includes('whatsapp://chats')) || undefined, 15_000, 'alice announced')
    assert.ok(!heard.includes(bobUri))
    await sub.close()
  } finally {
    await v2.close()
  }
})

test('per-chat policy: read only chats refuse sends, approval chats hold them for a person, never chats vanish for everyone but the static token', async () => {
  const made = await api('POST', '/api/credentials', { name: 'sender', toolsets: ['read', 'send'], chats: 'all' })
  const sender = await server.mcp({ token: made.body.token })
  try {
    assert.equal((await api('PUT', `/api/chat-policy/${encodeURIComponent(alice.jid)}`, { policy: 'read_only' })).status, 200)
    assert.equal((await api('PUT', `/api/chat-policy/${bob.phone}`, { policy: 'approval' })).status, 200)
    assert.equal((await api('PUT', `/api/chat-policy/${encodeURIComponent(carol.jid)}`, { policy: 'never' })).status, 200)
    const bad = await api('PUT', `/api/chat-policy/${encodeURIComponent(alice.jid)}`, { policy: 'sometimes' })
    assert.equal(bad.body.error.code, 'CHAT_POLICY_INVALID')
    const policies = (await api('GET', '/api/chat-policy')).body.policies as Array<{ jid: string; policy: string }>
    assert.deepEqual(Object.fromEntries(policies.map((p) => [p.jid, p.policy])), { [alice.jid]: 'read_only', [bob.jid]: 'approval', [carol.jid]: 'never' })

    assert.equal(await code(sender, 'send_message', { recipient_jid: alice.jid, message: 'no' }), 'CHAT_READ_ONLY')
    assert.equal(await code(sender, 'send_reaction', { message_id: `${alice.jid}:A1`, emoji: '👍' }), 'CHAT_READ_ONLY')
    assert.equal(await code(sender, 'mark_read', { chat_id: alice.jid }), 'CHAT_READ_ONLY')
    // the send waits in the approval queue; rejected there, it fails with the person's note
    const held = code(sender, 'send_message', { recipient_jid: bob.jid, message: 'no' })
    const waiting = await until(async () => ((await api('GET', '/api/approvals')).body.approvals as Array<{ id: string; chat_jid: string; status: string }>).find((a) => a.chat_jid === bob.jid && a.status === 'pending'), 10_000, 'the send in the approval queue')
    assert.equal((await api('POST', `/api/approvals/${waiting.id}`, { approve: false, note: 'not to Bob' })).status, 200)
    assert.equal(await held, 'APPROVAL_REJECTED')
    assert.equal(await code(sender, 'send_message', { recipient_jid: carol.jid, message: 'no' }), 'CHAT_FORBIDDEN')
    assert.equal(await code(sender, 'get_chat_by_id', { jid: carol.jid }), 'CHAT_FORBIDDEN')
    assert.ok(!jidsOf((await ok(sender, 'list_chats', { limit: 50 })).chats).includes(carol.jid))
    // reading a read-only chat is fine, and a chat without a policy takes sends
    assert.equal((await ok(sender, 'list_messages', { chat_id: alice.jid })).chat_jid, alice.jid)
    const sent = await ok(sender, 'send_message', { recipient_jid: groupJid, message: 'the group may hear this' })
    assert.equal(sent.success, true)
    // the static token holds the admin toolset: never-chats stay visible to it
    assert.ok(jidsOf((await ok(admin, 'list_chats', { limit: 50 })).chats).includes(carol.jid))
    assert.equal((await api('PUT', `/api/chat-policy/${encodeURIComponent(carol.jid)}`, { policy: null })).body.policy, null)
    assert.ok(jidsOf((await ok(sender, 'list_chats', { limit: 50 })).chats).includes(carol.jid))
  } finally {
    await sender.close()
  }
})

test('a name where a JID is expected counts only chats in the scope: another chat\'s name is unknown, never listed', async () => {
  for (const p of [alice, carol]) await p.sendText(ACCOUNT, `name check from ${p.name}`)
  await until(async () => (await call(admin, 'list_messages', { chat_id: 'Carol Scope', limit: 1 })).ok || undefined, 15_000, 'the name known to the static token')
  await until(async () => (await call(reader, 'list_messages', { chat_id: 'Alice Scope', limit: 1 })).ok || undefined, 15_000, 'a name in the scope resolves')
  const other = await call(reader, 'list_messages', { chat_id: 'Carol Scope' })
  assert.equal(other.data.code, 'WA_JID_INVALID', JSON.stringify(other.data))
  assert.ok(!JSON.stringify(other.data).includes(carol.phone), 'the error never names the chat outside the scope')
})


test('a session answers only to the token that opened it; a revoked credential is refused at once', async () => {
  const init = await fetch(`${server.url}/mcp`, {
    method: 'POST',
    headers: { authorization: `Bearer ${STATIC}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } })
  })
  const sid = init.headers.get('mcp-session-id')!
  const other = await fetch(`${server.url}/mcp`, {
    method: 'POST',
    headers: { authorization: `Bearer ${readerToken}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': sid, 'mcp-protocol-version': '2025-11-25' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' })
  })
  assert.equal(other.status, 403)
  assert.equal(((await other.json()) as { error: { data: { code: string } } }).error.data.code, 'MCP_SESSION_FORBIDDEN')
  assert.equal((await api('DELETE', `/api/credentials/${readerId}`)).body.credential.revoked_at > 0, true)
  const after = await fetch(`${server.url}/mcp`, {
    method: 'POST',
    headers: { authorization: `Bearer ${readerToken}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': sid },
    body: '{}'
  })
  assert.equal(after.status, 401)
  assert.match(after.headers.get('www-authenticate') ?? '', /error="invalid_token"/)
  assert.equal(((await after.json()) as { error: { data: { code: string } } }).error.data.code, 'CREDENTIAL_REVOKED')
  assert.ok(!server.lines.some((l) => l.includes(readerToken)), 'the token reached the log')
})

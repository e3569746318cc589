// Scheduled messages end to end: the real server process linked to the emulator, the SDK client, and the
// emulated people's phones. What arrives and when is read from the emulator (the moment each message id
// reached a phone), never from the server's own word; kill -9 and restarts on the same data folder.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import Database from 'better-sqlite3'
import { join } from 'node:path'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { startEmulator, type Emulator, type PeerMessage } from '../emulator/emulator.js'
import type { Person } from '../emulator/person.js'
import type { Account } from '../emulator/state.js'
import { call, startServerProcess, until, type ServerProcess } from '../helpers/server-process.js'
import { linkViaMcp } from '../helpers/link.js'

const ACCOUNT = '15550031000'
const STATIC = 'static-token-for-the-schedule-test-0123456789'
const ADMIN = 'admin-token-for-the-schedule-test-01234567'
let emu: Emulator
let server: ServerProcess
let client: Client
let alice: Person
let bob: Person
/** every delivery of a message to a phone, repeats included: text, message id, when */
const arrivals: Array<{ to: string; id: string; text: string; at: number }> = []

const textOf = (m: PeerMessage): string => m.message.conversation ?? m.message.extendedTextMessage?.text ?? m.message.imageMessage?.caption ?? m.message.documentMessage?.caption ?? ''
const arrived = (text: string) => arrivals.filter((a) => a.text === text)
/** the message ids a phone shows for a text: a phone shows one message per id */
const shownIds = (text: string) => new Set(arrived(text).map((a) => a.id))

const api = async (method: string, path: string, body?: unknown) => {
  const r = await fetch(`${server.url}${path}`, { method, headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })
  return { status: r.status, body: (await r.json()) as Record<string, any> }
}
const ok = async (name: string, args: Record<string, unknown>, c = client) => {
  const r = await call(c, name, args)
  assert.equal(r.ok, true, `${name}: ${JSON.stringify(r.data)}`)
  return r.data as Record<string, any>
}
const code = async (name: string, args: Record<string, unknown>, c = client) => (await call(c, name, args)).data.code
const ready = async (): Promise<boolean> => (await api('GET', '/api/status')).body.whatsapp.ready
const statusInFile = (id: string): string | undefined => {
  const db = new Database(join(server.dataDir, 'outbox.sqlite'), { readonly: true, fileMustExist: true })
  try {
    return (db.prepare('SELECT status FROM outbox WHERE id = ?').get(id) as { status: string } | undefined)?.status
  } finally {
    db.close()
  }
}

async function kill(): Promise<void> {
  const gone = server.child.exitCode !== null || server.child.signalCode ? Promise.resolve() : new Promise((r) => server.child.once('exit', r))
  server.child.kill('SIGKILL')
  await gone
  await client.close().catch(() => undefined)
}
async function startAgain(env = server.env): Promise<void> {
  server = await startServerProcess(emu, env, server.dataDir)
  client = await server.mcp({ token: STATIC })
  await until(ready, 40_000, 'ready after the restart')
}
const sleepUntil = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t - Date.now())))

before(async () => {
  emu = await startEmulator()
  alice = emu.person({ phone: '15550031001', name: 'Alice Later' })
  bob = emu.person({ phone: '15550031002', name: 'Bob Later' })
  emu.on('peer-message', (m: PeerMessage, to: Account) => void arrivals.push({ to: to.pn, id: m.id, text: textOf(m), at: Date.now() }))
  emu.setHistory(ACCOUNT, { chats: [{ jid: alice.phone, messages: [{ text: 'hi from alice', id: 'SA1' }] }, { jid: bob.phone, messages: [{ text: 'hi from bob', id: 'SB1' }] }] })
  server = await startServerProcess(emu, { MCP_AUTH_TOKEN: STATIC, ADMIN_TOKEN: ADMIN })
  client = await server.mcp({ token: STATIC })
  await linkViaMcp(client, emu, ACCOUNT)
  await until(async () => ((await call(client, 'list_chats', { limit: 10 })).data.chats as unknown[] | undefined)?.length === 2 || undefined, 20_000, 'history stored')
})

after(async () => {
  await client?.close().catch(() => undefined)
  await server?.stop()
  await emu?.close()
})

test('a scheduled message arrives at its time, not before, and list_scheduled shows it sent with its message id', async () => {
  const r = await ok('schedule_message', { recipient_jid: alice.jid, message: 'at its time', delay_seconds: 2 })
  const due = Date.parse(r.send_at)
  assert.equal(r.status, 'pending')
  assert.match(r.id, /^ob_/)
  await alice.waitFor((m) => textOf(m) === 'at its time', 20_000)
  const [got] = arrived('at its time')
  assert.ok(got!.at >= due, `arrived ${got!.at - due} ms after its time, never before`)
  // the phone may have it before WhatsApp's acknowledgement reaches the server and the send is recorded
  const mine = await until(async () => ((await ok('list_scheduled', { status: 'sent' })).entries as Array<Record<string, string>>).find((e) => e.id === r.id), 10_000, 'recorded sent')
  assert.equal(mine.message_id, `${alice.jid}:${got!.id}`)
  assert.equal(mine.kind, 'scheduled')
  // the trail has the schedule (a tool call) and the send when it went
  const trail = (await api('GET', `/api/audit?chat=${encodeURIComponent(alice.jid)}`)).body.records as Array<{ kind: string; tool: string | null; message_ids: string[] }>
  assert.ok(trail.some((r) => r.tool === 'schedule_message'), 'the schedule is in the audit trail')
  assert.ok(trail.some((r) => r.kind === 'outbox.sent' && r.message_ids.includes(mine.message_id!)), 'its send is in the audit trail')
})

test('on a chat that needs approval a schedule waits for the person: an edited approval stores and sends the edit, a rejection stores nothing', async () => {
  assert.equal((await api('PUT', `/api/chat-policy/${encodeURIComponent(bob.jid)}`, { policy: 'approval' })).status, 200)
  try {
    const pending = (text: string) => until(async () => ((await api('GET', '/api/approvals')).body.approvals as Array<Record<string, any>>).find((a) => a.status === 'pending' && a.preview.text === text), 15_000, `"${text}" waiting for approval`)
    const edited = call(client, 'schedule_message', { recipient_jid: bob.jid, message: 'teh plan', delay_seconds: 1 })
    const req = await pending('teh plan')
    assert.equal(req.chat_jid ?? req.chatJid, bob.jid)
    assert.equal((await api('POST', `/api/approvals/${req.id}`, { approve: true, args: { message: 'the plan' } })).status, 200)
    const r = await edited
    assert.equal(r.ok, true, JSON.stringify(r.data))
    await bob.waitFor((m) => textOf(m) === 'the plan', 20_000)
    assert.equal(arrived('teh plan').length, 0, 'the text as the agent wrote it never went')
    const rejected = call(client, 'schedule_message', { recipient_jid: bob.jid, message: 'not this one', delay_seconds: 1 })
    await api('POST', `/api/approvals/${(await pending('not this one')).id}`, { approve: false, note: 'no' })
    const no = await rejected
    assert.equal(no.data.code, 'APPROVAL_REJECTED')
    const listed = (await ok('list_scheduled', { chat_jid: bob.jid })).entries as Array<Record<string, string>>
    assert.ok(!listed.some((e) => e.text === 'not this one'), 'a rejected schedule is not stored')
  } finally {
    await api('PUT', `/api/chat-policy/${encodeURIComponent(bob.jid)}`, { policy: null })
  }
})

test('media can be scheduled too, with send_at as an ISO time with an offset', async () => {
  const at = new Date(Date.now() + 1500)
  const offset = new Date(at.getTime() + 2 * 3600_000).toISOString().replace('Z', '+02:00')
  const r = await ok('schedule_message', { recipient_jid: bob.jid, send_at: offset, media: { media_content: Buffer.from('a scheduled file').toString('base64'), filename: 'later.txt', caption: 'scheduled media' } })
  assert.equal(Date.parse(r.send_at), at.getTime())
  const m = await bob.waitFor((x) => x.message.documentMessage?.caption === 'scheduled media', 20_000)
  assert.equal(m.message.documentMessage?.fileName, 'later.txt')
  assert.ok(arrived('scheduled media')[0]!.at >= at.getTime())
})

test('a cancelled one never goes; cancelling one that went is SCHEDULED_ALREADY_SENT', async () => {
  const dropped = await ok('schedule_message', { recipient_jid: alice.jid, message: 'never to arrive', delay_seconds: 3 })
  // a later one to the same person: once it has arrived, the cancelled one's time is long past
  const after = await ok('schedule_message', { recipient_jid: alice.jid, message: 'after the cancelled one', delay_seconds: 4 })
  assert.equal((await ok('cancel_scheduled', { id: dropped.id })).status, 'cancelled')
  await alice.waitFor((m) => textOf(m) === 'after the cancelled one', 20_000)
  assert.equal(arrived('never to arrive').length, 0)
  assert.equal((await ok('list_scheduled', { status: 'cancelled' })).entries.some((e: { id: string }) => e.id === dropped.id), true)
  await until(async () => ((await ok('list_scheduled', { status: 'sent' })).entries as Array<{ id: string }>).some((e) => e.id === after.id), 10_000, 'recorded sent')
  assert.equal(await code('cancel_scheduled', { id: after.id }), 'SCHEDULED_ALREADY_SENT')
  assert.equal(await code('cancel_scheduled', { id: 'ob_doesnotexist' }), 'SCHEDULED_NOT_FOUND')
})

test('schedule_message refuses bad times and bad content with INVALID_INPUT, each naming the fault', async () => {
  const base = { recipient_jid: alice.jid, message: 'x' }
  const cases: Array<[string, Record<string, unknown>, RegExp, string?]> = [
    ['an hour ago', { ...base, send_at: new Date(Date.now() - 3600_000).toISOString() }, /in the past/],
    ['two years ahead', { ...base, send_at: new Date(Date.now() + 2 * 366 * 86_400_000).toISOString() }, /366 days/],
    ['no offset', { ...base, send_at: '2030-01-01T09:00:00' }, /no offset/],
    ['not a time', { ...base, send_at: 'tomorrow' }, /not an ISO 8601 time/, 'TIME_INVALID'],
    ['unix seconds', { ...base, send_at: Math.floor(Date.now() / 1000) + 60 }, /unix seconds/, 'TIME_IN_SECONDS'],
    ['both times', { ...base, send_at: new Date(Date.now() + 60_000).toISOString(), delay_seconds: 60 }, /exactly one of send_at/],
    ['no time', { ...base }, /exactly one of send_at/],
    ['delay too long', { ...base, delay_seconds: 400 * 86_400 }, /366 days/],
    ['text and media', { ...base, delay_seconds: 5, media: { media_url: 'https://example.com/a.png' } }, /exactly one of message/],
    ['neither text nor media', { recipient_jid: alice.jid, delay_seconds: 5 }, /exactly one of message/],
    ['media without a source', { recipient_jid: alice.jid, delay_seconds: 5, media: { caption: 'nothing' } }, /media_path, media_url or media_content/],
    ['media with an unknown field', { recipient_jid: alice.jid, delay_seconds: 5, media: { media_url: 'https://example.com/a.png', colour: 'red' } }, /media/]
  ]
  for (const [what, args, message, expected = 'INVALID_INPUT'] of cases) {
    const r = await call(client, 'schedule_message', args)
    assert.equal(r.ok, false, what)
    assert.equal(r.data.code, expected, `${what}: ${JSON.stringify(r.data)}`)
    assert.match(String(r.data.message), message, what)
  }
  assert.equal((await ok('list_scheduled', { status: 'pending' })).entries.length, 0, 'nothing refused was stored')
})

test('an idempotency key schedules once: the retry gets the same entry', async () => {
  const a = await ok('schedule_message', { recipient_jid: bob.jid, message: 'keyed later', delay_seconds: 1, idempotency_key: 'sched-1' })
  const b = await ok('schedule_message', { recipient_jid: bob.jid, message: 'keyed later', delay_seconds: 1, idempotency_key: 'sched-1' })
  assert.equal(b.id, a.id)
  assert.equal(b.deduplicated, true)
  await bob.waitFor((m) => textOf(m) === 'keyed later', 20_000)
  await until(async () => ((await ok('list_scheduled', { status: 'sent' })).entries as Array<{ id: string }>).some((e) => e.id === a.id), 10_000, 'recorded sent')
  const late = await ok('schedule_message', { recipient_jid: bob.jid, message: 'keyed later', delay_seconds: 1, idempotency_key: 'sched-1' })
  assert.deepEqual([late.id, late.status, late.deduplicated], [a.id, 'sent', true], 'a retry after it went answers the first, not a second')
  assert.equal(await code('schedule_message', { recipient_jid: alice.jid, message: 'keyed later', delay_seconds: 1, idempotency_key: 'sched-1' }), 'IDEMPOTENCY_KEY_CONFLICT')
  await ok('schedule_message', { recipient_jid: bob.jid, message: 'after the keyed one', delay_seconds: 0 })
  await bob.waitFor((m) => textOf(m) === 'after the keyed one', 20_000)
  assert.equal(shownIds('keyed later').size, 1)
})

test('list_scheduled and cancel_scheduled see only the chats of the caller\'s credential', async () => {
  const toAlice = await ok('schedule_message', { recipient_jid: alice.jid, message: 'scoped alice', delay_seconds: 3600 })
  const toBob = await ok('schedule_message', { recipient_jid: bob.jid, message: 'scoped bob', delay_seconds: 3600 })
  const rows: Array<[string, Record<string, unknown>, string[]]> = [
    ['allow alice', { allow: [alice.jid] }, [toAlice.id]],
    ['deny alice', { deny: [alice.jid] }, [toBob.id]],
    ['all chats', 'all' as unknown as Record<string, unknown>, [toAlice.id, toBob.id]]
  ]
  for (const [name, chats, visible] of rows) {
    const made = await api('POST', '/api/credentials', { name: `sched ${name}`, toolsets: ['send'], chats })
    assert.equal(made.status, 201, JSON.stringify(made.body))
    const c = await server.mcp({ token: made.body.token })
    try {
      const seen = ((await ok('list_scheduled', { status: 'pending' }, c)).entries as Array<{ id: string }>).map((e) => e.id).filter((id) => id === toAlice.id || id === toBob.id)
      assert.deepEqual(seen.sort(), [...visible].sort(), `${name}: list`)
      for (const id of [toAlice.id, toBob.id].filter((x) => !visible.includes(x))) {
        assert.equal(await code('cancel_scheduled', { id }, c), 'SCHEDULED_NOT_FOUND', `${name}: cancel of an unseen one`)
        assert.equal(await code('list_scheduled', { chat_jid: id === toAlice.id ? alice.jid : bob.jid }, c), 'CHAT_FORBIDDEN', `${name}: naming an unseen chat`)
      }
      if (name !== 'all chats') assert.equal(await code('schedule_message', { recipient_jid: name === 'allow alice' ? bob.jid : alice.jid, message: 'no', delay_seconds: 60 }, c), 'CHAT_FORBIDDEN', `${name}: schedule to an unseen chat`)
    } finally {
      await c.close()
    }
  }
  for (const e of [toAlice, toBob]) assert.equal((await ok('cancel_scheduled', { id: e.id })).status, 'cancelled')
})

test('one scheduled before a kill -9 and due during the outage goes out exactly once after the restart', async () => {
  const r = await ok('schedule_message', { recipient_jid: alice.jid, message: 'due while down', delay_seconds: 3, idempotency_key: 'outage-1' })
  await kill()
  await sleepUntil(Date.parse(r.send_at) + 500)
  assert.equal(arrived('due while down').length, 0, 'nothing went while the server was down')
  await startAgain()
  await alice.waitFor((m) => textOf(m) === 'due while down', 20_000)
  await until(async () => ((await ok('list_scheduled', { status: 'sent' })).entries as Array<{ id: string }>).some((e) => e.id === r.id), 10_000, 'recorded sent')
  // a later scheduled one to her arrives: anything more of the first would have come before it
  await ok('schedule_message', { recipient_jid: alice.jid, message: 'after the outage', delay_seconds: 0 })
  await alice.waitFor((m) => textOf(m) === 'after the outage', 20_000)
  assert.equal(arrived('due while down').length, 1, 'delivered once')
})

test('a kill -9 while its send is on the wire: the send is resumed with the same message id, and the phone shows one message', async () => {
  // a send is recorded once its message is committed to the store: slow store writes keep it unrecorded
  // until the kill, which otherwise races a commit of a few milliseconds
  const normal = server.env
  await kill()
  await startAgain({ ...normal, STORE_WRITE_DELAY_MS: '1500' })
  const killed = new Promise<void>((resolve) => {
    const on = (m: PeerMessage): void => {
      if (textOf(m) !== 'cut on the wire') return
      emu.off('peer-message', on)
      server.child.kill('SIGKILL')
      resolve()
    }
    emu.on('peer-message', on)
  })
  const r = await ok('schedule_message', { recipient_jid: bob.jid, message: 'cut on the wire', delay_seconds: 1 })
  await killed
  await kill()
  const left = statusInFile(r.id)
  await startAgain(normal)
  await until(async () => ((await ok('list_scheduled', { status: 'sent' })).entries as Array<{ id: string }>).some((e) => e.id === r.id), 20_000, 'recorded sent after the restart')
  await ok('schedule_message', { recipient_jid: bob.jid, message: 'after the wire cut', delay_seconds: 0 })
  await bob.waitFor((m) => textOf(m) === 'after the wire cut', 20_000)
  assert.equal(left, 'sending', 'the kill came while the send was unrecorded')
  assert.equal(shownIds('cut on the wire').size, 1, `one message id on the phone (${arrived('cut on the wire').length} deliveries)`)
  assert.equal(bob.inbox.filter((m) => textOf(m) === 'cut on the wire').length, 1)
})

test('a kill -9 in the middle of a burst of due sends: after the restart every one has arrived, each once', async () => {
  const texts = Array.from({ length: 24 }, (_, i) => `burst ${i}`)
  let seen = 0
  const killed = new Promise<void>((resolve) => {
    const on = (m: PeerMessage): void => {
      if (!textOf(m).startsWith('burst ') || ++seen !== 5) return
      emu.off('peer-message', on)
      server.child.kill('SIGKILL')
      resolve()
    }
    emu.on('peer-message', on)
  })
  const sendAt = new Date(Date.now() + 3000).toISOString()
  for (const [i, message] of texts.entries()) await ok('schedule_message', { recipient_jid: i % 2 ? bob.jid : alice.jid, message, send_at: sendAt })
  await killed
  await kill()
  const before = texts.filter((t) => arrived(t).length).length
  assert.ok(before < texts.length, `the kill came mid-burst (${before} of ${texts.length} had arrived)`)
  await startAgain()
  await until(() => texts.every((t) => arrived(t).length > 0), 30_000, 'every burst message arrived')
  await until(async () => ((await ok('list_scheduled', { status: 'pending' })).entries as unknown[]).length === 0 && ((await ok('list_scheduled', { status: 'sending' })).entries as unknown[]).length === 0, 20_000, 'nothing left to send')
  for (const t of texts) assert.equal(shownIds(t).size, 1, `${t}: one message id on the phone (${arrived(t).length} deliveries)`)
})

test('one older than schedule_missed_after_s when the server is back is marked missed and never goes', async () => {
  assert.equal((await api('POST', '/api/settings', { schedule_missed_after_s: 1 })).status, 200)
  const r = await ok('schedule_message', { recipient_jid: alice.jid, message: 'too late to send', delay_seconds: 2 })
  await kill()
  await sleepUntil(Date.parse(r.send_at) + 2500)
  await startAgain()
  await until(async () => ((await ok('list_scheduled', { status: 'missed' })).entries as Array<{ id: string }>).some((e) => e.id === r.id), 20_000, 'marked missed')
  const entry = ((await ok('list_scheduled', { status: 'missed' })).entries as Array<Record<string, string>>).find((e) => e.id === r.id)!
  assert.match(entry.error!, /^SCHEDULED_MISSED/)
  await ok('schedule_message', { recipient_jid: alice.jid, message: 'after the missed one', delay_seconds: 0 })
  await alice.waitFor((m) => textOf(m) === 'after the missed one', 20_000)
  assert.equal(arrived('too late to send').length, 0)
  assert.equal((await api('POST', '/api/settings', { schedule_missed_after_s: 3600 })).status, 200)
})

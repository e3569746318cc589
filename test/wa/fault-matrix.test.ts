// The fault matrix: each row a real fault injected into the emulator or the worker, and what the server
// must do about it. One linked server goes through the rows in order; destructive rows come last.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { startEmulator, type Emulator } from '../emulator/emulator.js'
import type { Person } from '../emulator/person.js'
import { call, until, type ServerProcess } from '../helpers/server-process.js'
import { startLinkedServer, type LinkedServer } from '../helpers/link.js'

const ACCOUNT = '15550001111'
let emu: Emulator
let linked: LinkedServer
let server: ServerProcess
let client: Client
let friend: Person
let qrIssued = 0
let logins = 0

interface Status {
  whatsapp: { state: string; linked: boolean; ready: boolean; restarts: Array<{ cause: string }>; recovery: { counts: Record<string, number>; recent: Array<{ action: string; reason: string }> } }
  store: { messages: number }
}
const status = async (): Promise<Status> => (await (await fetch(`${server.url}/api/status`)).json()) as Status
const restarts = async () => (await status()).whatsapp.restarts.length
const waitReady = () => until(async () => (await status()).whatsapp.ready, 40_000, 'ready again')

before(async () => {
  emu = await startEmulator()
  emu.on('qr-issued', () => qrIssued++)
  emu.on('login', () => logins++)
  friend = emu.person({ phone: '15550002222', name: 'Friend' })
  emu.setHistory(ACCOUNT, { chats: [{ jid: friend.phone, messages: [{ text: 'kept through every fault' }] }] })
  linked = await startLinkedServer(emu, ACCOUNT, {
    WA_WORKER_FAULTS: '1',
    WA_DISCONNECT_RECOVERY_DELAY_MS: '8000',
    WA_SYNC_RECOVERY_COOLDOWN_MS: '1000',
    WA_SYNC_SOFT_RECOVERY_LIMIT: '1',
    WA_RESYNC_RECONNECT: 'false',
    WA_HEARTBEAT_INTERVAL_MS: '200',
    WA_HEARTBEAT_TIMEOUT_MS: '2000',
    WA_READINESS_GRACE_MS: '3000',
    WA_SEND_READY_WAIT_MS: '1000',
    // receive-only chain progress is never written before a crash or a restart: every row after one runs on
    // the older sessions and sender keys, as after the worst-timed crash
    WA_KEY_SYNC_MS: '600000',
    BAILEYS_LOG_LEVEL: 'warn'
  })
  server = linked.server
  client = linked.client
  await until(async () => (await status()).store.messages >= 1, 20_000, 'history stored')
})

after(async () => {
  await linked?.close()
  await emu?.close()
})

test('socket closed by the server: reconnects with backoff, same session, no QR', async () => {
  const qr = qrIssued
  const r0 = await restarts()
  const l0 = logins
  assert.equal(emu.inject(ACCOUNT, { kind: 'close' }), 1)
  await until(async () => logins > l0, 20_000, 'logged in again')
  await waitReady()
  assert.equal(qrIssued, qr)
  assert.equal(await restarts(), r0)
})

test('stream error 515: reconnects at once', async () => {
  const r0 = await restarts()
  const l0 = logins
  emu.inject(ACCOUNT, { kind: 'stream-error', code: 515 })
  await until(async () => logins > l0, 10_000, 'logged in again after the 515')
  await waitReady()
  assert.equal(await restarts(), r0)
})

for (const code of [428, 503]) {
  test(`stream error ${code}: the worker is restarted and the session comes back`, async () => {
    const r0 = await restarts()
    const qr = qrIssued
    emu.inject(ACCOUNT, { kind: 'stream-error', code })
    await until(async () => (await restarts()) > r0, 20_000, 'a worker restart')
    await waitReady()
    assert.equal(qrIssued, qr)
  })
}

test('app-state decode failure, once: soft resync, no restart', async () => {
  const r0 = await restarts()
  emu.appStateFault(ACCOUNT, 2, ['regular'])
  emu.serverSync(ACCOUNT, ['regular'])
  const st = await until(async () => {
    const s = await status()
    return s.whatsapp.recovery.recent.some((x) => x.action === 'soft-resync') ? s : undefined
  }, 20_000, 'a soft resync')
  assert.ok(st.whatsapp.recovery.counts['app-state-key-missing'] ?? st.whatsapp.recovery.counts['app-state-sync-failed'])
  await new Promise((r) => setTimeout(r, 1500))
  assert.equal(await restarts(), r0)
  assert.equal((await status()).whatsapp.ready, true)
})

test('app-state failures beyond the soft limit in the window: worker restart', async () => {
  const r0 = await restarts()
  emu.appStateFault(ACCOUNT, 4, ['regular'])
  emu.serverSync(ACCOUNT, ['regular'])
  await until(async () => (await restarts()) > r0, 20_000, 'an escalation to a worker restart')
  emu.setAppStateReply(ACCOUNT, undefined)
  await waitReady()
})

test('an exception thrown inside the worker: supervisor restart, nothing lost', async () => {
  const before = await status()
  const r0 = before.whatsapp.restarts.length
  const qr = qrIssued
  await fetch(`${server.url}/api/test/fault?kind=crash`, { method: 'POST' })
  await until(async () => (await restarts()) > r0, 20_000, 'a restart after the crash')
  await waitReady()
  assert.equal(qrIssued, qr, 'the session returns with no new QR')
  assert.ok((await status()).store.messages >= before.store.messages)
  const m = await friend.sendText(ACCOUNT, 'after the crash')
  await until(async () => ((await call(client, 'list_messages', { chat_id: friend.jid })).data.messages as Array<{ id: string }>).some((x) => x.id === m.id), 15_000, 'a message after the crash')
})

const textOf = (m: { message: { conversation?: string | null; extendedTextMessage?: { text?: string | null } | null } }) => m.message.conversation ?? m.message.extendedTextMessage?.text
const stored = (id: string, what: string, chat = friend.jid) =>
  until(async () => ((await call(client, 'list_messages', { chat_id: chat, limit: 100 })).data.messages as Array<{ id: string }>).some((x) => x.id === id), 15_000, what)

const crashAndWait = async () => {
  const r0 = await restarts()
  await fetch(`${server.url}/api/test/fault?kind=crash`, { method: 'POST' })
  await until(async () => (await restarts()) > r0, 20_000, 'a restart after the crash')
  await waitReady()
}
/** sent by the account to a chat, and decrypted by every one of `people` */
const sendAndSee = async (chat: string, text: string, people: Person[]) => {
  assert.equal((await call(client, 'send_message', { recipient_jid: chat, message: text })).ok, true)
  await Promise.all(people.map((p) => p.waitFor((m) => textOf(m) === text)))
}
const reply = (text: string) => sendAndSee(friend.jid, text, [friend])

test('a crash that loses the Signal session progress of messages just received: later messages decrypt both ways', async () => {
  for (const text of ['before 1', 'before 2']) await stored((await friend.sendText(ACCOUNT, text)).id, text)
  await reply('our reply before')
  // the first answer takes a ratchet step (written at once); the next two only move the receiving chain
  // forward, and with WA_KEY_SYNC_MS this long they are lost in the crash
  for (const text of ['answer 1', 'answer 2', 'answer 3']) await stored((await friend.sendText(ACCOUNT, text)).id, text)
  await crashAndWait()
  await stored((await friend.sendText(ACCOUNT, 'answer 4, after the crash')).id, 'a message further along the same chain')
  await reply('our reply after')
  await stored((await friend.sendText(ACCOUNT, 'and their answer')).id, 'their answer after our reply')
})

test('a crash right after a send: the next send does not use its keys again', async () => {
  await reply('sent just before the crash')
  await crashAndWait()
  // had the sending chain's step been lost, this would use its message key again and the phone would refuse
  // it (Baileys writes a send's sessions with the device list, a set that never waits; the rule for a lone
  // session is in the auth store's own test)
  await reply('sent after the crash')
  await stored((await friend.sendText(ACCOUNT, 'got both')).id, 'their answer')
})

test("a crash that loses a group sender's key progress: later group messages decrypt, and ours reach everyone", async () => {
  const pal = emu.person({ phone: '15550003333', name: 'Pal' })
  const group = emu.createGroup('Crash Club', friend, [ACCOUNT, pal]).id
  const inGroup = (id: string, what: string) => stored(id, what, group)
  const toGroup = (text: string) => sendAndSee(group, text, [friend, pal])
  for (const text of ['group 1', 'group 2', 'group 3']) await inGroup((await friend.sendText(group, text)).id, text)
  await toGroup('ours before the crash')
  await inGroup((await pal.sendText(group, 'from pal')).id, 'a second sender')
  await crashAndWait()
  await inGroup((await friend.sendText(group, 'group 4, after the crash')).id, 'a group message after the crash')
  await toGroup('ours after the crash')
})

test('a blocked worker event loop: heartbeat missed, worker terminated and restarted', async () => {
  const r0 = await restarts()
  void fetch(`${server.url}/api/test/fault?kind=block&ms=6000`, { method: 'POST' }).catch(() => undefined)
  const st = await until(async () => {
    const s = await status()
    return s.whatsapp.restarts.length > r0 ? s : undefined
  }, 20_000, 'a heartbeat restart')
  assert.match(st.whatsapp.restarts.at(-1)!.cause, /heartbeat/)
  await waitReady()
})

test('sends during an outage fail fast and retryably; a retry with the same key sends once', async () => {
  emu.setReachable(false)
  await until(async () => !(await status()).whatsapp.ready, 10_000, 'outage noticed')
  const first = await call(client, 'send_message', { recipient_jid: friend.jid, message: 'once only', idempotency_key: 'outage-1' })
  assert.equal(first.ok, false)
  assert.equal(first.data.code, 'WA_NOT_READY')
  assert.equal(first.data.retryable, true)
  emu.setReachable(true)
  await waitReady()
  const second = await call(client, 'send_message', { recipient_jid: friend.jid, message: 'once only', idempotency_key: 'outage-1' })
  assert.equal(second.ok, true, JSON.stringify(second.data))
  const third = await call(client, 'send_message', { recipient_jid: friend.jid, message: 'once only', idempotency_key: 'outage-1' })
  assert.equal(third.data.deduplicated, true)
  await friend.waitFor((m) => textOf(m) === 'once only')
  await new Promise((r) => setTimeout(r, 500))
  assert.equal(friend.inbox.filter((m) => textOf(m) === 'once only').length, 1)
})

test('server unreachable past the grace: /healthz 503; when it returns, 200 and ready', async () => {
  emu.setReachable(false)
  const bad = await until(async () => {
    const r = await fetch(`${server.url}/healthz`)
    return r.status === 503 ? r : undefined
  }, 20_000, '/healthz 503')
  assert.equal(((await bad.json()) as { reason: string }).reason, 'stuck')
  emu.setReachable(true)
  await until(async () => {
    const r = await fetch(`${server.url}/healthz`)
    return r.status === 200 && ((await r.json()) as { reason: string }).reason === 'ready'
  }, 40_000, '/healthz 200 ready')
})

test('440 replaced: stops reconnecting and says so; a restart from the admin takes it back', async () => {
  emu.inject(ACCOUNT, { kind: 'replaced' })
  await until(async () => (await status()).whatsapp.state === 'replaced', 10_000, 'replaced')
  await new Promise((r) => setTimeout(r, 2000))
  assert.equal((await status()).whatsapp.state, 'replaced', 'no flapping')
  assert.equal(emu.connectedDevices(ACCOUNT).length, 0)
  const auth = await call(client, 'check_auth_status')
  assert.match(auth.data.message as string, /replaced/)
  await fetch(`${server.url}/api/restart-wa`, { method: 'POST' })
  await waitReady()
})

test('every recovery is a metric too', async () => {
  const text = await (await fetch(`${server.url}/metrics`)).text()
  const restarts = Number(/^wa_worker_restarts_total (\d+)$/m.exec(text)?.[1] ?? 0)
  assert.ok(restarts >= 5, text)
  assert.match(text, /wa_recovery_decisions_total\{action="soft-resync"\} [1-9]/)
  assert.match(text, /wa_recovery_decisions_total\{action="restart-worker"\} [1-9]/)
  assert.match(text, /wa_recovery_signals_total\{kind="replaced"\} 1/)
})

test('401 logged out: auth cleared, store intact, a new QR', async () => {
  const before = await status()
  const qr = qrIssued
  emu.inject(ACCOUNT, { kind: 'failure', reason: 401 })
  await until(async () => !(await status()).whatsapp.linked, 15_000, 'unlinked')
  await until(async () => qrIssued > qr, 15_000, 'a new QR')
  const after = await status()
  assert.ok(after.store.messages >= before.store.messages)
  const q = await until(async () => {
    const r = await call(client, 'get_qr_code')
    return r.ok ? r : undefined
  }, 15_000, 'get_qr_code works again')
  assert.ok(q.data.qr)
})

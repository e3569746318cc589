// Webhooks end to end: a real server on the emulator, events made by emulated people, receivers on
// 127.0.0.1. Every signature verifies; a receiver that fails three times then recovers gets every event
// once by id; a kill -9 during retries still delivers after the restart; "send again"; filters; 410.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { startEmulator, type Emulator } from '../emulator/emulator.js'
import type { Person } from '../emulator/person.js'
import { startServerProcess, until, type ServerProcess } from '../helpers/server-process.js'
import { startLinkedServer } from '../helpers/link.js'
import { startReceiver, type Receiver, type Received } from '../helpers/webhook-receiver.js'
import { secretKey, verifyDelivery } from '../../src/webhooks/signature.js'

const ACCOUNT = '15550009001'
let emu: Emulator
let server: ServerProcess
let client: Client
let ada: Person
let bob: Person
const receivers: Receiver[] = []
// fast retries, so three failures take well under a second
const ENV = { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_BASE_MS: '100', WEBHOOK_RETRY_MAX_MS: '400', WEBHOOK_MAX_ATTEMPTS: '6' }

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, any> }> {
  const res = await fetch(`${server.url}${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })
  return { status: res.status, json: (await res.json()) as Record<string, any> }
}

async function receiver(): Promise<Receiver> {
  const r = await startReceiver()
  receivers.push(r)
  return r
}

async function endpoint(rx: Receiver, extra: Record<string, unknown> = {}): Promise<{ id: string; secret: string }> {
  const r = await api('POST', '/api/webhooks', { url: rx.url, ...extra })
  assert.equal(r.status, 201, JSON.stringify(r.json))
  return { id: r.json.endpoint.id, secret: (extra.secret as string | undefined) ?? r.json.secret }
}

const body = (r: Received) => JSON.parse(r.body) as { id: string; type: string; data: { kind: string; text?: string; chat_jid?: string; message_id?: string } }
const okIds = (rx: Receiver) => rx.received.filter((r) => r.answered < 300).map((r) => r.id)
const messagesOf = (rx: Receiver, texts: string[]) => (rs: Received[]) => texts.every((t) => rs.some((r) => r.answered < 300 && body(r).data.text === t))

before(async () => {
  emu = await startEmulator()
  ada = emu.person({ phone: '15550009002', name: 'Ada' })
  bob = emu.person({ phone: '15550009003', name: 'Bob' })
  const linked = await startLinkedServer(emu, ACCOUNT, ENV)
  server = linked.server
  client = linked.client
})

after(async () => {
  await client?.close().catch(() => undefined)
  server?.child.kill('SIGKILL')
  for (const r of receivers) await r.close()
  await emu?.close()
})

test('every delivery is signed (Standard Webhooks headers) and verifies with the secret; the body is the get_updates event', async () => {
  const rx = await receiver()
  const { id, secret } = await endpoint(rx, { kinds: ['message'] })
  assert.match(secret, /^whsec_/)
  const texts = ['sig one', 'sig two', 'sig three']
  for (const t of texts) await ada.sendText(ACCOUNT, t)
  await rx.until(messagesOf(rx, texts))
  const key = secretKey(secret)
  for (const r of rx.received) {
    assert.ok(verifyDelivery(key, r, r.body), `signature of delivery ${r.id} verifies`)
    assert.equal(body(r).id, r.id)
    assert.equal(body(r).type, 'message')
  }
  // a changed body, id or timestamp does not verify: the signature covers all three
  const r0 = rx.received[0]!
  assert.equal(verifyDelivery(key, r0, r0.body.replace('sig', 'SIG')), false)
  assert.equal(verifyDelivery(key, { ...r0, id: String(Number(r0.id) + 1) }, r0.body), false)
  assert.equal(verifyDelivery(key, { ...r0, timestamp: String(Number(r0.timestamp) + 1) }, r0.body), false)
  assert.equal(new Set(okIds(rx)).size, rx.received.length, 'one delivery per event')
  const list = await api('GET', '/api/webhooks')
  const ep = list.json.endpoints.find((e: { id: string }) => e.id === id)
  assert.equal(ep.secret_set, true)
  assert.equal(JSON.stringify(list.json).includes(secret.slice(6)), false, 'the secret is never shown again')
  assert.equal(JSON.stringify((await api('GET', '/api/settings')).json).includes(secret.slice(6)), false)
  await api('DELETE', `/api/webhooks/${id}`)
})

test('a receiver that fails three times then recovers gets every event exactly once by id, and the log shows 4 attempts', async () => {
  const rx = await receiver()
  const fails = new Map<string, number>()
  rx.respond = (r) => {
    const n = fails.get(r.id) ?? 0
    fails.set(r.id, n + 1)
    return n < 3 ? 500 : 200
  }
  const { id } = await endpoint(rx, { kinds: ['message'], secret: 'a shared secret of some length' })
  const texts = ['retry a', 'retry b', 'retry c', 'retry d']
  for (const t of texts) await (t.endsWith('b') ? bob : ada).sendText(ACCOUNT, t)
  await rx.until(messagesOf(rx, texts))
  const ok = okIds(rx)
  assert.equal(ok.length, texts.length)
  assert.equal(new Set(ok).size, ok.length, 'no event delivered twice')
  for (const n of fails.values()) assert.equal(n, 4, 'three failures and one success per event')
  // the outcome is written just after the answer: wait for the log to show it
  const log = await until(async () => {
    const l = await api('GET', `/api/webhooks/deliveries?endpoint=${id}&status=delivered`)
    return l.json.deliveries.length === texts.length ? l : undefined
  }, 10_000, 'the log shows every delivery')
  for (const d of log.json.deliveries) {
    assert.equal(d.status, 'delivered')
    assert.equal(d.attempts, 4)
  }
  const metrics = await (await fetch(`${server.url}/metrics`)).text()
  assert.ok(Number(/webhook_attempts_total\{result="failed"\} (\d+)/.exec(metrics)?.[1]) >= 12, 'the failed attempts are counted in /metrics')
  // "send again" requeues a delivered one: the receiver gets it once more, under the same id
  const again = log.json.deliveries[0]
  const resent = await api('POST', `/api/webhooks/${id}/deliveries/${again.seq}/resend`)
  assert.equal(resent.status, 202)
  await rx.until((rs) => rs.filter((r) => r.id === String(again.seq) && r.answered === 200).length === 2, 10_000, 'the resent delivery')
  await api('DELETE', `/api/webhooks/${id}`)
})

test('a server killed with -9 during retries delivers after the restart on the same data', async () => {
  const rx = await receiver()
  rx.respond = () => 503
  const { id } = await endpoint(rx, { kinds: ['message'] })
  const texts = ['crash a', 'crash b']
  for (const t of texts) await ada.sendText(ACCOUNT, t)
  await rx.until((rs) => rs.filter((r) => r.answered === 503).length >= 3, 20_000, 'failed attempts before the kill')
  server.child.kill('SIGKILL')
  await new Promise((r) => server.child.once('exit', r))
  rx.respond = () => 200
  const t3 = 'crash c, while the server was down'
  await bob.sendText(ACCOUNT, t3)
  server = await startServerProcess(emu, server.env, server.dataDir)
  client = await server.mcp()
  await rx.until(messagesOf(rx, [...texts, t3]), 40_000)
  assert.equal(new Set(okIds(rx)).size, okIds(rx).length, 'each event acknowledged once')
  await until(async () => (await api('GET', `/api/webhooks/deliveries?endpoint=${id}&status=delivered`)).json.deliveries.length === 3, 10_000, 'the log shows 3 delivered')
  await api('DELETE', `/api/webhooks/${id}`)
})

test('filters: an endpoint for one chat and one kind gets only those events', async () => {
  const rxAll = await receiver()
  const rxBob = await receiver()
  const all = await endpoint(rxAll, { kinds: ['message'] })
  const onlyBob = await endpoint(rxBob, { kinds: ['message'], chats: [`+${bob.phone}`] })
  await ada.sendText(ACCOUNT, 'filter ada')
  await bob.sendText(ACCOUNT, 'filter bob')
  await rxAll.until(messagesOf(rxAll, ['filter ada', 'filter bob']))
  await rxBob.until(messagesOf(rxBob, ['filter bob']))
  assert.deepEqual(rxBob.received.map((r) => body(r).data.text), ['filter bob'])
  assert.ok(rxBob.received.every((r) => body(r).data.chat_jid === `${bob.phone}@s.whatsapp.net`))
  for (const e of [all, onlyBob]) await api('DELETE', `/api/webhooks/${e.id}`)
})

test('a delivery that fails WEBHOOK_MAX_ATTEMPTS times is dead, with its last error; "send again" delivers it', async () => {
  const rx = await receiver()
  rx.respond = () => 500
  const { id } = await endpoint(rx, { kinds: ['message'] })
  await ada.sendText(ACCOUNT, 'never accepted')
  const dead = await until(async () => (await api('GET', `/api/webhooks/deliveries?endpoint=${id}&status=dead`)).json.deliveries[0], 20_000, 'a dead delivery')
  assert.equal(dead.attempts, 6)
  assert.match(dead.last_error, /HTTP 500; gave up after 6 attempts/)
  assert.equal(rx.received.length, 6)
  rx.respond = () => 200
  await api('POST', `/api/webhooks/${id}/deliveries/${dead.seq}/resend`)
  await rx.until((rs) => rs.some((r) => r.answered === 200), 10_000, 'the dead delivery sent again')
  await until(async () => (await api('GET', `/api/webhooks/deliveries?endpoint=${id}&status=delivered`)).json.deliveries.length === 1, 10_000, 'delivered in the log')
  await api('DELETE', `/api/webhooks/${id}`)
})

test('a receiver answering 410 Gone has its endpoint disabled and the delivery marked dead', async () => {
  const rx = await receiver()
  rx.respond = () => 410
  const { id } = await endpoint(rx, { kinds: ['message'] })
  await ada.sendText(ACCOUNT, 'gone')
  await until(async () => (await api('GET', '/api/webhooks')).json.endpoints.find((e: { id: string }) => e.id === id)?.enabled === false, 20_000, 'endpoint disabled')
  const log = await api('GET', `/api/webhooks/deliveries?endpoint=${id}`)
  assert.equal(log.json.deliveries[0].status, 'dead')
  assert.match(log.json.deliveries[0].last_error, /410/)
  assert.equal(rx.received.length, 1, 'no retry after 410')
  await api('DELETE', `/api/webhooks/${id}`)
})

test('a private receiver saved while allowed is refused at send time once WEBHOOK_ALLOW_PRIVATE is off', async () => {
  const rx = await receiver()
  const { id } = await endpoint(rx, { kinds: ['message'] })
  await server.stop()
  server = await startServerProcess(emu, { ...server.env, WEBHOOK_ALLOW_PRIVATE: 'false' }, server.dataDir)
  client = await server.mcp()
  const settings = JSON.parse(readFileSync(join(server.dataDir, 'settings.json'), 'utf8')) as { webhooks: Array<{ id: string }> }
  assert.deepEqual(settings.webhooks.map((w) => w.id), [id], 'the endpoint is in the settings file; the removed ones are not')
  await ada.sendText(ACCOUNT, 'to a private receiver')
  const d = await until(async () => (await api('GET', `/api/webhooks/deliveries?endpoint=${id}`)).json.deliveries.find((x: { attempts: number }) => x.attempts >= 1), 20_000, 'a refused attempt')
  assert.match(d.last_error, /not a public address/)
  assert.equal(rx.received.length, 0, 'nothing reached the private receiver')
  assert.equal(statSync(join(server.dataDir, 'webhooks.sqlite')).mode & 0o777, 0o600, 'the outbox (message texts) is the owner\'s only')
})

// Pacing end to end: the real server process, Baileys, the emulator. Small limits are set through the
// runtime settings so the test is quick; every timing asserted is one the limits themselves define (a gap
// at least as long as the limit, typing at least as long as the text asks), never a tighter one.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import type { BinaryNode } from '@whiskeysockets/baileys'
import { startEmulator, type Emulator } from '../emulator/emulator.js'
import type { Person } from '../emulator/person.js'
import { call, startServerProcess, until, type ServerProcess } from '../helpers/server-process.js'
import { linkViaMcp } from '../helpers/link.js'

const ACCOUNT = '15550009001'
/** the transport's own variance between two stanzas leaving the server and reaching the emulator */
const WIRE_MS = 25
/**
 * The emulator runs in this process: when this process itself stalls (a busy machine), the stanzas that
 * came meanwhile are stamped together when it runs again, and the gap after such a stamp looks short. A
 * stamp taken when the event loop had not run for this long is marked late, and the gap that starts at it
 * is not a measurement of the server (the tests say how many they left out, and bound it).
 */
const STALL_MS = 50
let lastTick = Date.now()
let lastStallEnd = 0
// after a stall the timers run before the sockets are read: the tick notes the stall's end, and a stamp
// taken just after it (in the same turn of the loop) is late
const ticker = setInterval(() => {
  const now = Date.now()
  if (now - lastTick > STALL_MS) lastStallEnd = now
  lastTick = now
}, 10)
ticker.unref()
interface Stamp { at: number; late: boolean }
const stamp = (): Stamp => {
  const now = Date.now()
  return { at: now, late: now - lastTick > STALL_MS || now - lastStallEnd < 20 }
}
let emu: Emulator
let server: ServerProcess
let client: Client
let alice: Person
/** when the emulator received each message stanza (by id), and each chat state the account sent */
const arrivals = new Map<string, Stamp>()
const chatstates: Array<{ to: string; state: string } & Stamp> = []

const settings = async (patch: Record<string, unknown>): Promise<void> => {
  const r = await fetch(`${server.url}/api/settings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(patch) })
  assert.equal(r.status, 200, await r.text())
}
const status = async () => ((await (await fetch(`${server.url}/api/status`)).json()) as { pacing: Record<string, any> }).pacing
const metrics = async () => (await fetch(`${server.url}/metrics`)).text()
const textOf = (m: { message: { conversation?: string | null; extendedTextMessage?: { text?: string | null } | null } }) => m.message.conversation ?? m.message.extendedTextMessage?.text ?? ''
/** the emulator's arrival stamps of the texts `person` got that start with `prefix`, in arrival order */
const arrivedAt = (person: Person, prefix: string): Stamp[] =>
  person.inbox.filter((m) => textOf(m).startsWith(prefix)).map((m) => arrivals.get(m.id)!).sort((a, b) => a.at - b.at)
const gaps = (ts: number[]): number[] => ts.slice(1).map((t, i) => t - ts[i]!)
/** the gaps between arrivals, without those that start at a late stamp (see STALL_MS) */
function measuredGaps(ts: Stamp[]): { gaps: number[]; left_out: number } {
  const out = ts.slice(1).flatMap((t, i) => (ts[i]!.late ? [] : [t.at - ts[i]!.at]))
  return { gaps: out, left_out: ts.length - 1 - out.length }
}

// no limit but the one a test sets: 0 = off
const QUIET = { pacing_chat_min_gap_ms: 0, pacing_chat_per_minute: 0, pacing_chat_per_hour: 0, pacing_per_minute: 0, pacing_per_day: 0, pacing_new_chats_per_day: 0, pacing_jitter_ms: 0, pacing_max_wait_ms: 0, typing_presence: false, pacing_warmup_days: 0 }

before(async () => {
  emu = await startEmulator()
  alice = emu.person({ phone: '15550009002', name: 'Alice' })
  emu.setHistory(ACCOUNT, { chats: [{ jid: alice.phone, messages: [{ text: 'hi', id: 'P1' }, { text: 'hello', fromMe: true, id: 'P2' }] }] })
  emu.on('stanza', (node: BinaryNode) => {
    // the first time: a retry of a message (after a retry receipt) is the same message arriving again
    if (node.tag === 'message' && node.attrs.id && !arrivals.has(node.attrs.id)) arrivals.set(node.attrs.id, stamp())
  })
  emu.on('chatstate', (node: BinaryNode) => {
    const child = Array.isArray(node.content) ? (node.content[0] as BinaryNode | undefined) : undefined
    chatstates.push({ to: node.attrs.to ?? '', state: child?.tag ?? '', ...stamp() })
  })
  server = await startServerProcess(emu, { PACING_ENABLED: 'true' })
  client = await server.mcp()
  await linkViaMcp(client, emu, ACCOUNT)
})

after(async () => {
  await client?.close()
  await server?.stop()
  await emu?.close()
})

test('a newly linked account is in its warm-up: day 1 allows the first-day figure a day, whatever pacing_per_day says', async () => {
  const p = await status()
  assert.equal(p.enabled, true)
  assert.equal(p.warm_up.active, true)
  assert.equal(p.warm_up.day, 1)
  assert.ok(p.warm_up.linked_at > Date.now() - 120_000, 'the link time recorded now')
  assert.equal(p.limits.per_day, 20)
  assert.equal(p.limits.new_chats_per_day, 5)
  await settings({ pacing_warmup_days: 0 })
  assert.equal((await status()).limits.per_day, 1500)
})

test('queue mode: a burst of 100 sends to one chat is paced: every gap the emulator sees is at least the chat gap', async (t) => {
  const GAP = 150
  await settings({ ...QUIET, pacing_over_limit: 'queue', pacing_chat_min_gap_ms: GAP, pacing_jitter_ms: 40 })
  const answers: Array<Record<string, unknown>> = []
  for (let i = 0; i < 100; i++) {
    const r = await call(client, 'send_message', { recipient_jid: alice.jid, message: `burst ${i}` })
    assert.ok(r.ok, JSON.stringify(r.data))
    answers.push(r.data)
  }
  const queued = answers.filter((a) => a.queued === true)
  assert.ok(queued.length >= 90, `${queued.length} of 100 queued`)
  for (const q of queued) {
    assert.match(String(q.outbox_id), /^ob_/)
    assert.ok(!Number.isNaN(Date.parse(String(q.send_at))), String(q.send_at))
  }
  const sendAts = queued.map((q) => Date.parse(String(q.send_at)))
  for (const g of gaps(sendAts)) assert.ok(g >= GAP, `send_at ${g} ms apart`)
  await until(() => arrivedAt(alice, 'burst ').length === 100, 60_000, 'all 100 arrived')
  const arrived = arrivedAt(alice, 'burst ')
  const m = measuredGaps(arrived)
  assert.ok(m.left_out <= 10, `${m.left_out} gaps left out: this process stalled too often to measure`)
  for (const g of m.gaps) assert.ok(g >= GAP - WIRE_MS, `arrivals ${g} ms apart, the limit is ${GAP}: ${arrived.slice(1).map((a, i) => `${a.at - arrived[i]!.at}${arrived[i]!.late ? '(late)' : ''}`).join(' ')}`)
  // a burst this long takes at least 99 gaps
  assert.ok(arrived.at(-1)!.at - arrived[0]!.at >= 99 * GAP - WIRE_MS)
  t.diagnostic(`gaps: min ${Math.min(...m.gaps)} ms, median ${m.gaps.sort((a, b) => a - b)[m.gaps.length >> 1]} ms, ${m.left_out} left out; 100 sends in ${arrived.at(-1)!.at - arrived[0]!.at} ms`)
})

test('/api/status and /metrics show the limits in force, what is used, and the sends queued', async () => {
  await until(async () => (await status()).queue.length === 0, 20_000, 'the queue drained')
  const p = await status()
  assert.equal(p.over_limit, 'queue')
  assert.equal(p.limits.chat_min_gap_ms, 150)
  assert.ok(p.used.per_day >= 100, `used per day ${p.used.per_day}`)
  assert.ok(p.sends.queued >= 90)
  assert.equal(p.sends.queued, p.sends.from_queue, 'every queued send went')
  const m = await metrics()
  assert.match(m, new RegExp(`^pacing_sends_total\\{result="queued"\\} ${p.sends.queued}$`, 'm'))
  assert.match(m, /^pacing_queue_length 0$/m)
  assert.match(m, /^pacing_limit\{limit="chat_min_gap_ms"\} 150$/m)
  assert.match(m, /^pacing_enabled 1$/m)
})

test('refuse mode: a send over the chat gap is RATE_LIMITED with retry_after in seconds, and never sent', async () => {
  const bob = emu.person({ phone: '15550009003', name: 'Bob' })
  await settings({ ...QUIET, pacing_over_limit: 'refuse', pacing_chat_min_gap_ms: 60_000 })
  const first = await call(client, 'send_message', { recipient_jid: bob.jid, message: 'refuse one' })
  assert.ok(first.ok && first.data.message_id, JSON.stringify(first.data))
  const second = await call(client, 'send_message', { recipient_jid: bob.jid, message: 'refuse two' })
  assert.equal(second.ok, false)
  assert.equal(second.data.code, 'RATE_LIMITED')
  assert.equal(second.data.retryable, true)
  const data = second.data.data as { retry_after: number; limit: string }
  assert.equal(data.limit, 'chat_gap')
  assert.ok(data.retry_after >= 1 && data.retry_after <= 60, `retry_after ${data.retry_after}`)
  // the other posting tools are held to the same limits
  const poll = await call(client, 'send_poll', { recipient_jid: bob.jid, question: 'Tea?', options: ['yes', 'no'] })
  assert.equal(poll.data.code, 'RATE_LIMITED')
  await bob.waitFor((m) => textOf(m) === 'refuse one')
  assert.ok(!bob.inbox.some((m) => textOf(m) === 'refuse two'))
})

test('a retry under its idempotency_key is never sent twice: a sent one answers from its record, a queued one is the same entry', async () => {
  const gina = emu.person({ phone: '15550009008', name: 'Gina' })
  await settings({ ...QUIET, pacing_over_limit: 'queue', pacing_chat_min_gap_ms: 1500 })
  const sent = await call(client, 'send_message', { recipient_jid: gina.jid, message: 'keyed one', idempotency_key: 'pace-k1' })
  const again = await call(client, 'send_message', { recipient_jid: gina.jid, message: 'keyed one', idempotency_key: 'pace-k1' })
  assert.equal(again.data.message_id, sent.data.message_id, JSON.stringify(again.data))
  assert.equal(again.data.deduplicated, true)
  const queued = await call(client, 'send_message', { recipient_jid: gina.jid, message: 'keyed two', idempotency_key: 'pace-k2' })
  const queuedAgain = await call(client, 'send_message', { recipient_jid: gina.jid, message: 'keyed two', idempotency_key: 'pace-k2' })
  assert.equal(queued.data.queued, true)
  assert.equal(queuedAgain.data.outbox_id, queued.data.outbox_id)
  await gina.waitFor((m) => textOf(m) === 'keyed two')
  // past another gap: nothing more came
  await new Promise((r) => setTimeout(r, 2000))
  assert.equal(gina.inbox.filter((m) => textOf(m) === 'keyed one').length, 1)
  assert.equal(gina.inbox.filter((m) => textOf(m) === 'keyed two').length, 1)
})

test('a send awaiting its slot that the client cancels is never sent', async () => {
  const hugo = emu.person({ phone: '15550009009', name: 'Hugo' })
  await settings({ ...QUIET, pacing_over_limit: 'refuse', pacing_chat_min_gap_ms: 2500, pacing_max_wait_ms: 5000 })
  assert.ok((await call(client, 'send_message', { recipient_jid: hugo.jid, message: 'hugo one' })).ok)
  const ac = new AbortController()
  const waiting = client.callTool({ name: 'send_message', arguments: { recipient_jid: hugo.jid, message: 'hugo cancelled' } }, undefined, { signal: ac.signal })
  setTimeout(() => ac.abort(), 500)
  await assert.rejects(waiting)
  // past the slot it waited for, and a gap more: it never came
  await new Promise((r) => setTimeout(r, 4000))
  assert.ok(hugo.inbox.some((m) => textOf(m) === 'hugo one'))
  assert.ok(!hugo.inbox.some((m) => textOf(m) === 'hugo cancelled'))
})

test('first contacts a day: a send to a second chat with no message yet is held to pacing_new_chats_per_day', async () => {
  const eve = emu.person({ phone: '15550009004', name: 'Eve' })
  const frank = emu.person({ phone: '15550009005', name: 'Frank' })
  await settings({ ...QUIET, pacing_over_limit: 'refuse', pacing_new_chats_per_day: 1 })
  // Bob got one message already (the test before) and Alice wrote first: no first contact
  const used = (await status()).used.new_chats_per_day as number
  await settings({ pacing_new_chats_per_day: used + 1 })
  assert.ok((await call(client, 'send_message', { recipient_jid: eve.jid, message: 'hello eve' })).ok)
  const r = await call(client, 'send_message', { recipient_jid: frank.jid, message: 'hello frank' })
  assert.equal(r.data.code, 'RATE_LIMITED')
  assert.equal((r.data.data as { limit: string }).limit, 'new_chats_per_day')
  assert.ok((await call(client, 'send_message', { recipient_jid: alice.jid, message: 'alice is no first contact' })).ok)
})

test('typing presence: "composing" reaches the emulator before the message, for at least the time the text asks', async () => {
  const carol = emu.person({ phone: '15550009006', name: 'Carol' })
  await settings({ ...QUIET, typing_presence: true, pacing_typing_ms_per_char: 30, pacing_typing_max_ms: 5000 })
  const text = 'typing first, then this' // 23 characters: 690 ms
  const r = await call(client, 'send_message', { recipient_jid: carol.jid, message: text })
  assert.ok(r.ok, JSON.stringify(r.data))
  const msg = await carol.waitFor((m) => textOf(m) === text)
  const typed = chatstates.find((c) => c.to.startsWith(carol.phone) && c.state === 'composing')
  assert.ok(typed, `no composing to Carol in ${JSON.stringify(chatstates)}`)
  const arrived = arrivals.get(msg.id)!
  assert.ok(arrived.at > typed.at, 'composing first')
  if (!typed.late) assert.ok(arrived.at - typed.at >= 690 - WIRE_MS, `typing for ${arrived.at - typed.at} ms`)
  // and off means no chat state at all
  await settings({ typing_presence: false })
  const before = chatstates.length
  assert.ok((await call(client, 'send_message', { recipient_jid: carol.jid, message: 'no typing now' })).ok)
  await carol.waitFor((m) => textOf(m) === 'no typing now')
  assert.equal(chatstates.filter((c) => c.state === 'composing').length, chatstates.slice(0, before).filter((c) => c.state === 'composing').length)
})

test('typing presence: a queued send shows it too when the outbox sends it', async () => {
  const ivan = emu.person({ phone: '15550009010', name: 'Ivan' })
  await settings({ ...QUIET, pacing_over_limit: 'queue', pacing_chat_min_gap_ms: 1000, typing_presence: false })
  assert.ok((await call(client, 'send_message', { recipient_jid: ivan.jid, message: 'ivan first' })).ok)
  await settings({ typing_presence: true, pacing_typing_ms_per_char: 30, pacing_typing_max_ms: 5000 })
  const text = 'queued, typed, sent' // 19 characters: 570 ms
  const r = await call(client, 'send_message', { recipient_jid: ivan.jid, message: text })
  assert.equal(r.data.queued, true, JSON.stringify(r.data))
  const msg = await ivan.waitFor((m) => textOf(m) === text)
  const typed = chatstates.find((c) => c.to.startsWith(ivan.phone) && c.state === 'composing')
  assert.ok(typed, 'composing to Ivan')
  const arrived = arrivals.get(msg.id)!
  assert.ok(arrived.at > typed.at, 'composing first')
  if (!typed.late) assert.ok(arrived.at - typed.at >= 570 - WIRE_MS, `typing for ${arrived.at - typed.at} ms`)
})

test('queued sends survive a restart, which keeps the day\'s budget and the gap: the server stopped and started on the same data sends them', async () => {
  const dave = emu.person({ phone: '15550009007', name: 'Dave' })
  const GAP = 2000
  await settings({ ...QUIET, pacing_over_limit: 'queue', pacing_chat_min_gap_ms: GAP })
  const answers = []
  for (const t of ['after restart 0', 'after restart 1', 'after restart 2']) answers.push((await call(client, 'send_message', { recipient_jid: dave.jid, message: t })).data)
  assert.equal(answers.filter((a) => a.queued === true).length, 2, JSON.stringify(answers))
  await dave.waitFor((m) => textOf(m) === 'after restart 0')
  const usedBefore = (await status()).used.per_day as number
  await client.close()
  await server.stop()
  assert.equal(arrivedAt(dave, 'after restart').length, 1, 'the queued ones had not gone before the stop')
  server = await startServerProcess(emu, server.env, server.dataDir)
  client = await server.mcp()
  // the day's budget is where it was: a restart resets nothing
  assert.ok((await status()).used.per_day >= usedBefore, `used per day ${(await status()).used.per_day} after the restart, ${usedBefore} before`)
  await until(() => arrivedAt(dave, 'after restart').length === 3, 30_000, 'both queued sends after the restart')
  for (const g of measuredGaps(arrivedAt(dave, 'after restart')).gaps) assert.ok(g >= GAP - WIRE_MS, `arrivals ${g} ms apart across a restart, the limit is ${GAP}`)
})

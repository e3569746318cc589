// The outbox against a real SQLite file with real timers and an executor that records what it was given:
// when entries fire, what cancel, readiness, pacing, a restart and the missed setting do.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { Outbox, type OutboxOptions } from '../../src/outbox/outbox.js'
import { OutboxStore } from '../../src/outbox/outbox-store.js'
import type { NewOutboxEntry, OutboxEntry } from '../../src/outbox/outbox-types.js'
import { AppError } from '../../src/errors/app-error.js'
import { until } from '../helpers/server-process.js'

const log = pino({ level: 'silent' })
const CHAT = '15550001111@s.whatsapp.net'

function rig(o: Partial<OutboxOptions> & { path?: string } = {}) {
  const path = o.path ?? join(mkdtempSync(join(tmpdir(), 'outbox-')), 'outbox.sqlite')
  const store = new OutboxStore(path)
  const sent: Array<{ entry: OutboxEntry; at: number }> = []
  const outbox = new Outbox({
    store,
    execute: async (entry) => {
      sent.push({ entry, at: Date.now() })
      return { messageId: `${entry.chatJid}:M${sent.length}` }
    },
    ready: () => true,
    onReady: () => () => undefined,
    missedAfterMs: () => 60_000,
    log,
    ...o
  })
  return { path, store, outbox, sent }
}

const entry = (dueAt: number, extra: Partial<NewOutboxEntry> = {}): NewOutboxEntry => ({ kind: 'scheduled', operation: 'send_message', chatJid: CHAT, args: { message: 'hi' }, dueAt, principalId: 'static', ...extra })

test('an entry goes at its due time, not before, and is recorded sent with its message id', async () => {
  const { outbox, sent, store } = rig()
  outbox.start()
  const due = Date.now() + 400
  const e = outbox.add(entry(due))
  assert.equal(e.status, 'pending')
  await new Promise((r) => setTimeout(r, 150))
  assert.equal(sent.length, 0, 'nothing went before its time')
  await until(() => sent.length === 1, 5_000, 'the send')
  assert.ok(sent[0]!.at >= due, 'it went at or after its time')
  await until(() => outbox.get(e.id)?.status === 'sent', 2_000, 'recorded sent')
  assert.equal(outbox.get(e.id)!.messageId, `${CHAT}:M1`)
  outbox.stop()
  store.close()
})

test('entries added out of order go in due order, each once', async () => {
  const { outbox, sent, store } = rig()
  outbox.start()
  const now = Date.now()
  const chats = ['1@s.whatsapp.net', '2@s.whatsapp.net', '3@s.whatsapp.net']
  outbox.add(entry(now + 300, { chatJid: chats[2]! }))
  outbox.add(entry(now + 100, { chatJid: chats[0]! }))
  outbox.add(entry(now + 200, { chatJid: chats[1]! }))
  await until(() => sent.length === 3, 5_000, 'three sends')
  assert.deepEqual(sent.map((s) => s.entry.chatJid), chats)
  await new Promise((r) => setTimeout(r, 100))
  assert.equal(sent.length, 3)
  outbox.stop()
  store.close()
})

test('a cancelled entry never goes; cancelling a sent one says so with SCHEDULED_ALREADY_SENT', async () => {
  const { outbox, sent, store } = rig()
  outbox.start()
  const keep = outbox.add(entry(Date.now() + 150, { chatJid: 'a@s.whatsapp.net' }))
  const drop = outbox.add(entry(Date.now() + 100, { chatJid: 'b@s.whatsapp.net' }))
  assert.equal(outbox.cancel(drop.id).status, 'cancelled')
  assert.equal(outbox.cancel(drop.id).status, 'cancelled', 'cancelling again answers as it is')
  await until(() => outbox.get(keep.id)?.status === 'sent', 5_000, 'the kept one sent')
  await new Promise((r) => setTimeout(r, 100))
  assert.deepEqual(sent.map((s) => s.entry.id), [keep.id])
  assert.throws(() => outbox.cancel(keep.id), (e: AppError) => e.code === 'SCHEDULED_ALREADY_SENT')
  assert.throws(() => outbox.cancel('ob_nope'), (e: AppError) => e.code === 'SCHEDULED_NOT_FOUND')
  outbox.stop()
  store.close()
})

test('while WhatsApp is not ready entries wait, and go once it is', async () => {
  let ready = false
  let hear: (() => void) | undefined
  const { outbox, sent, store } = rig({ ready: () => ready, onReady: (fn) => ((hear = fn), () => (hear = undefined)) })
  outbox.start()
  const e = outbox.add(entry(Date.now() + 50))
  await new Promise((r) => setTimeout(r, 250))
  assert.equal(sent.length, 0)
  assert.equal(outbox.get(e.id)!.status, 'pending', 'waiting, not failed')
  ready = true
  hear!()
  await until(() => sent.length === 1, 5_000, 'sent once ready')
  outbox.stop()
  store.close()
})

test('entries of one chat due together go one after the other, never side by side (pacing off, or deferring)', async () => {
  let inFlight = 0
  let most = 0
  const sent: string[] = []
  const { outbox, store } = rig({
    execute: async (e) => {
      most = Math.max(most, ++inFlight)
      await new Promise((r) => setTimeout(r, 150))
      inFlight--
      sent.push(e.id)
      return { messageId: `${e.chatJid}:${e.id}` }
    },
    // pacing off: nothing but the outbox keeps one chat's sends apart
    pacing: () => undefined
  })
  const due = Date.now() + 50
  const ids = [outbox.add(entry(due)).id, outbox.add(entry(due)).id, outbox.add(entry(due)).id]
  outbox.start()
  await until(() => sent.length === 3, 10_000, 'all three sent')
  assert.equal(most, 1, 'one send of the chat at a time')
  assert.deepEqual(sent, ids, 'in the order they were due')
  outbox.stop()
  store.close()
})

test('a pacing slot later than now moves the entry there instead of sending', async () => {
  const slots: number[] = []
  const { outbox, sent, store } = rig({
    pacing: () => ({
      slot: (_chat, now) => {
        const at = slots.length ? now : now + 300
        slots.push(at)
        return at
      }
    })
  })
  outbox.start()
  const e = outbox.add(entry(Date.now() + 20))
  await until(() => slots.length === 1, 2_000, 'pacing asked')
  assert.equal(outbox.get(e.id)!.status, 'pending')
  assert.equal(outbox.get(e.id)!.dueAt, slots[0], 'due time moved to the slot')
  await until(() => sent.length === 1, 5_000, 'sent at the slot')
  assert.ok(sent[0]!.at >= slots[0]!)
  assert.equal(outbox.get(e.id)!.attempts, 1, 'a deferral is not an attempt')
  outbox.stop()
  store.close()
})

test('after a restart: a send a crash cut resumes (never missed), a long-overdue pending one is missed, a recent one goes', async () => {
  const first = rig()
  const now = Date.now()
  const cut = first.outbox.add(entry(now - 600_000, { chatJid: 'cut@s.whatsapp.net' }))
  const overdue = first.outbox.add(entry(now - 120_000, { chatJid: 'late@s.whatsapp.net' }))
  const recent = first.outbox.add(entry(now - 5_000, { chatJid: 'recent@s.whatsapp.net' }))
  // what a kill -9 during the first send leaves: the entry taken, its send never recorded
  first.store.claim(now, 1, [])
  assert.equal(first.store.get(cut.id)!.status, 'sending')
  first.store.close()

  const again = rig({ path: first.path })
  again.outbox.start()
  await until(() => again.sent.length === 2, 5_000, 'two sends after the restart')
  await until(() => again.outbox.get(overdue.id)?.status === 'missed', 2_000, 'the overdue one missed')
  assert.deepEqual(again.sent.map((s) => s.entry.id).sort(), [cut.id, recent.id].sort())
  assert.equal(again.sent.find((s) => s.entry.id === cut.id)!.entry.attempts, 2, 'the resumed send is its second attempt')
  assert.equal(again.outbox.get(overdue.id)!.errorCode, 'SCHEDULED_MISSED')
  again.outbox.stop()
  again.store.close()
})

test('an idempotency key gives the first entry back; other content under it is a conflict', () => {
  const { outbox, store } = rig()
  const a = outbox.addOnce(entry(Date.now() + 60_000, { idempotencyKey: 'k1' }))
  const b = outbox.addOnce(entry(Date.now() + 61_000, { idempotencyKey: 'k1' }))
  assert.equal(b.entry.id, a.entry.id)
  assert.equal(b.deduplicated, true)
  assert.throws(() => outbox.add(entry(Date.now() + 60_000, { idempotencyKey: 'k1', args: { message: 'other' } })), (e: AppError) => e.code === 'IDEMPOTENCY_KEY_CONFLICT')
  assert.notEqual(outbox.add(entry(Date.now() + 60_000, { idempotencyKey: 'k1', principalId: 'cred:x' })).id, a.entry.id, 'keys are per principal')
  store.close()
})

test('a retryable failure is tried again later; a refusal fails the entry with its code', async () => {
  let calls = 0
  const { outbox, store } = rig({
    execute: async (e) => {
      calls++
      if (e.chatJid === 'bad@s.whatsapp.net') throw new AppError('WA_NOT_ON_WHATSAPP')
      if (calls === 1) throw new AppError('TIMEOUT')
      return { messageId: 'x:1' }
    }
  })
  outbox.start()
  const retried = outbox.add(entry(Date.now()))
  await until(() => outbox.get(retried.id)?.status === 'sent', 10_000, 'sent on the retry')
  assert.equal(outbox.get(retried.id)!.attempts, 2)
  const bad = outbox.add(entry(Date.now(), { chatJid: 'bad@s.whatsapp.net' }))
  await until(() => outbox.get(bad.id)?.status === 'failed', 5_000, 'failed')
  assert.equal(outbox.get(bad.id)!.errorCode, 'WA_NOT_ON_WHATSAPP')
  outbox.stop()
  store.close()
})

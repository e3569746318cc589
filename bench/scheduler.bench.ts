// The outbox's timing: from an entry's due time to the moment its send starts, with 10,000 entries due
// over a short window, and with all of them due at the same instant (the worst case: a restart after an
// outage). In process, on a real SQLite file, with the product's Outbox and OutboxStore and an executor
// that only records the time and answers on the next turn: the figure is the outbox's own lateness (one
// timer, the index reads, taking each entry and recording it sent), not WhatsApp's send time.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { Outbox } from '../src/outbox/outbox.js'
import { OutboxStore } from '../src/outbox/outbox-store.js'
import { fmt } from './lib.js'

export interface SchedulerCase {
  name: string
  entries: number
  /** ms between the first and the last due time */
  windowMs: number
  /** ms of the send's start past its due time */
  p50Ms: number
  p99Ms: number
  maxMs: number
  /** sent before their due time (must be 0) */
  early: number
  /** µs per add() while the outbox is running */
  addUs: number
}

/** what the figures are, for RESULTS.md */
export const SCHEDULER_INTRO = 'From an entry\'s due time to the start of its send, in ms: the outbox (one timer on the earliest due time, due entries taken 64 to a transaction, 4 sends at a time, two to one chat never together) on a real SQLite file, with an executor that answers on the next turn of the event loop instead of WhatsApp; 500 chats. add µs: one schedule stored while the outbox runs.'

const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!

async function runCase(name: string, entries: number, windowMs: number, chats: number): Promise<SchedulerCase> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-outbox-'))
  const store = new OutboxStore(join(dir, 'outbox.sqlite'))
  const lateness: number[] = []
  let early = 0
  let done!: () => void
  const all = new Promise<void>((r) => (done = r))
  const outbox = new Outbox({
    store,
    execute: (e) => {
      const late = Date.now() - e.dueAt
      if (late < 0) early++
      lateness.push(late)
      if (lateness.length === entries) setImmediate(done)
      return new Promise((r) => setImmediate(() => r({ messageId: `${e.chatJid}:${e.id}` })))
    },
    ready: () => true,
    onReady: () => () => undefined,
    missedAfterMs: () => 0,
    log: pino({ level: 'silent' })
  })
  outbox.start()
  // the first due time leaves room for the adds themselves
  const start = Date.now() + 2000 + entries * 0.6
  const t0 = process.hrtime.bigint()
  for (let i = 0; i < entries; i++) {
    outbox.add({ kind: 'scheduled', operation: 'send_message', chatJid: `4915${100000 + (i % chats)}@s.whatsapp.net`, args: { message: `scheduled ${i}` }, dueAt: Math.round(start + (windowMs * i) / entries), principalId: 'bench' })
  }
  const addUs = Number(process.hrtime.bigint() - t0) / 1000 / entries
  if (Date.now() >= start) throw new Error(`the adds took longer than the room left for them (${addUs.toFixed(1)} µs each)`)
  await all
  outbox.stop()
  store.close()
  rmSync(dir, { recursive: true, force: true })
  const sorted = lateness.sort((a, b) => a - b)
  return { name, entries, windowMs, p50Ms: pct(sorted, 50), p99Ms: pct(sorted, 99), maxMs: sorted.at(-1)!, early, addUs }
}

/** 10,000 entries over 500 chats: due over 10 s, and all due at once */
export async function benchScheduler(entries = 10_000): Promise<SchedulerCase[]> {
  return [await runCase('due over 10 s', entries, 10_000, 500), await runCase('all due at the same instant', entries, 0, 500)]
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const cases = await benchScheduler(Number(process.argv[2] ?? 10_000))
  console.log(SCHEDULER_INTRO)
  console.log('| case | entries | due window s | p50 ms | p99 ms | max ms | early | add µs |')
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |')
  for (const c of cases) console.log(`| ${c.name} | ${fmt(c.entries)} | ${fmt(c.windowMs / 1000)} | ${fmt(c.p50Ms)} | ${fmt(c.p99Ms)} | ${fmt(c.maxMs)} | ${c.early} | ${fmt(c.addUs, 1)} |`)
}

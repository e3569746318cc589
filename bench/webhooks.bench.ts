// Webhook deliveries per second to a loopback receiver: the server process drains a backlog of message
// events (written straight into its store file while it was stopped, as a restart after an outage would
// find them) through its delivery loop: signing, the guarded keep-alive POST, the outbox bookkeeping.
// The receiver runs in this process and answers 200 at once, so the figure is the sender's.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openWriter } from '../src/store/open-db.js'
import { applyBatch } from '../src/store/apply-batch.js'
import type { MessageRecord } from '../src/store/batch.js'
import { startServerProcess } from '../test/helpers/server-process.js'
import { startReceiver } from '../test/helpers/webhook-receiver.js'
import { fmt } from './lib.js'

export interface WebhookFigures {
  events: number
  /** from the first delivery the receiver got to the last event's */
  seconds: number
  perSecond: number
  /** requests the receiver got beyond one per event (there should be none: it never fails) */
  repeats: number
  concurrency: number
  /** deliveries per second of the server process's CPU time (all threads) over the drain: a figure a loaded machine disturbs less */
  perCpuSecond: number
}

/** user + system CPU seconds of a process so far (Linux; 0 elsewhere) */
function cpuSeconds(pid: number | undefined): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return (Number(f[11]) + Number(f[12])) / 100
  } catch {
    return 0
  }
}

const ENV = { NODE_ENV: 'production', LOG_LEVEL: 'info', BAILEYS_LOG_LEVEL: 'error', WA_WS_URL: 'ws://127.0.0.1:9/ws', WEBHOOK_ALLOW_PRIVATE: 'true' }

export async function benchWebhooks(events: number, concurrency = 32): Promise<WebhookFigures> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-webhooks-'))
  const rx = await startReceiver({ record: false })
  const seen = new Set<string>()
  let requests = 0
  let first = 0
  let cpuAtFirst = 0
  let cpuAtLast = 0
  let pid: number | undefined
  let last = 0
  let done!: () => void
  const all = new Promise<void>((r) => (done = r))
  rx.respond = (r) => {
    requests++
    if (!first) {
      first = performance.now()
      cpuAtFirst = cpuSeconds(pid)
    }
    seen.add(r.id)
    if (seen.size === events && !last) {
      last = performance.now()
      cpuAtLast = cpuSeconds(pid)
      done()
    }
    return 200
  }
  const env = { ...ENV, WEBHOOK_CONCURRENCY: String(concurrency) }
  // the endpoint first, so its cursor starts before the events
  let server = await startServerProcess(undefined, env, dataDir)
  const made = await fetch(`${server.url}/api/webhooks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: rx.url, kinds: ['message'] }) })
  if (made.status !== 201) throw new Error(`creating the endpoint: ${made.status} ${await made.text()}`)
  await server.stop()
  const db = openWriter(join(dataDir, 'store.sqlite'))
  const now = Date.now()
  for (let i = 0; i < events; i += 5000) {
    const batch: MessageRecord[] = []
    for (let j = i; j < Math.min(events, i + 5000); j++) batch.push({ chatJid: `4915${String(100000 + (j % 500))}@s.whatsapp.net`, id: `WH${j.toString(36)}`, fromMe: false, senderJid: `4915${String(100000 + (j % 500))}@s.whatsapp.net`, timestamp: now - events + j, type: 'text', body: `webhook bench message ${j} with a sentence of ordinary length in it` })
    applyBatch(db, { messages: batch })
  }
  db.close()
  const t0 = performance.now()
  server = await startServerProcess(undefined, env, dataDir, process.env.BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF}`] : [])
  pid = server.child.pid
  const tListen = performance.now()
  let timer: NodeJS.Timeout | undefined
  await Promise.race([all, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`only ${seen.size} of ${events} delivered in 300 s`)), 300_000)))])
  clearTimeout(timer)
  const tStop = performance.now()
  await server.stop()
  if (process.env.BENCH_TRACE) console.log({ listenMs: tListen - t0, firstMs: first - t0, lastMs: last - t0, stopMs: performance.now() - tStop })
  await rx.close()
  rmSync(dataDir, { recursive: true, force: true })
  const seconds = (last - first) / 1000
  return { events, seconds, perSecond: events / seconds, repeats: requests - events, concurrency, perCpuSecond: cpuAtLast > cpuAtFirst ? events / (cpuAtLast - cpuAtFirst) : NaN }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchWebhooks(Number(process.argv[2] ?? 20_000), Number(process.argv[3] ?? 32))
  console.log(`${fmt(r.events)} webhook deliveries in ${fmt(r.seconds, 2)} s: ${fmt(r.perSecond)}/s (concurrency ${r.concurrency}, repeats ${r.repeats}); ${fmt(r.perCpuSecond)} per server CPU-second`)
}

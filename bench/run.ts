// `npm run bench`: every case against the real build, baselines measured in the same run, results printed
// and written to bench/RESULTS.md. BENCH_QUICK=1 shrinks sizes and durations for a smoke run.
import { mkdtempSync, writeFileSync, mkdirSync, rmSync } from 'node:fs'
import { tmpdir, cpus, totalmem } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startEmulator } from '../test/emulator/emulator.js'
import { startServerProcess, type ServerProcess } from '../test/helpers/server-process.js'
import { seedStore } from './seed-store.js'
import { benchPing } from './ping.bench.js'
import { benchReads } from './reads.bench.js'
import { benchSessions } from './sessions.bench.js'
import { benchIngest, type IngestFigures } from './ingest.bench.js'
import { benchExport, seedExport } from './export.bench.js'
import { benchSend } from './send.bench.js'
import { QUICK, DURATION, ROUNDS, fmt, mcpSession } from './lib.js'
import { profileReceive } from './receive.bench.js'
import { benchEvents } from './events.bench.js'
import { benchWebhooks } from './webhooks.bench.js'
import { benchScheduler, SCHEDULER_INTRO } from './scheduler.bench.js'

const size = {
  chats: Number(process.env.BENCH_CHATS ?? (QUICK ? 1_000 : 10_000)),
  messages: Number(process.env.BENCH_MESSAGES ?? (QUICK ? 50_000 : 1_000_000)),
  contacts: Number(process.env.BENCH_CONTACTS ?? (QUICK ? 2_000 : 20_000)),
  ingest: Number(process.env.BENCH_INGEST ?? (QUICK ? 10_000 : 100_000)),
  exportMessages: QUICK ? 5_000 : 50_000,
  exportMediaMb: QUICK ? 20 : 200,
  sessions: QUICK ? 2_000 : 10_000
}
const PROD = { NODE_ENV: 'production', LOG_LEVEL: 'info', BAILEYS_LOG_LEVEL: 'error', WA_WS_URL: 'ws://127.0.0.1:9/ws', MCP_MAX_SESSIONS: '100000' }
const log = (...a: unknown[]) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...a)
const out: string[] = []

// 1. a seeded store and the server on it
const dataA = mkdtempSync(join(tmpdir(), 'bench-a-'))
mkdirSync(join(dataA, 'media'), { recursive: true })
log(`seeding ${size.chats} chats, ${size.messages} messages, ${size.contacts} contacts through the store writer`)
const seed = seedStore(join(dataA, 'store.sqlite'), size.chats, size.messages, size.contacts)
log(`seeded in ${fmt(seed.ms / 1000, 1)} s (${fmt(seed.messages / (seed.ms / 1000))} messages/s)`)
seedExport(join(dataA, 'store.sqlite'), join(dataA, 'media'), size.exportMessages, size.exportMediaMb)
const a = await startServerProcess(undefined, { ...PROD }, dataA)

// the catalog a model pays for: tools/list as published, and without its output schemas
const catalogHeaders = await mcpSession(`${a.url}/mcp`)
const listed = (await (await fetch(`${a.url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...catalogHeaders }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) })).json()) as { result: { tools: Array<Record<string, unknown>> } }
const catalog = { tools: listed.result.tools.length, bytes: JSON.stringify(listed.result).length, withoutOutput: JSON.stringify({ tools: listed.result.tools.map(({ outputSchema: _o, ...t }) => t) }).length }
log(`tools/list: ${catalog.tools} tools, ${fmt(catalog.bytes / 1024, 1)} KB (${fmt(catalog.withoutOutput / 1024, 1)} KB without output schemas)`)
log('ping: raw uWS, SDK on node:http, ours (JSON and SSE)')
const ping = await benchPing(a.url)
log('read tools, the same call repeated (answered from the cache)')
const cached = await benchReads(a.url, { chat: seed.sampleChat, messageId: seed.sampleMessageId }, 'cached')
log('export')
const exp = await benchExport(a.url)
await a.stop()
log('read tools with the answer cache off')
const a2 = await startServerProcess(undefined, { ...PROD, MCP_CACHE_ENTRIES: '0' }, dataA)
const cold = await benchReads(a2.url, { chat: seed.sampleChat, messageId: seed.sampleMessageId }, 'cold')
await a2.stop()
const reads = { rows: [...cold.rows, ...cached.rows], rawSameSize: cached.rawSameSize }

log(`sessions: ${size.sessions} idle sessions`)
const b = await startServerProcess(undefined, { ...PROD, MCP_SESSION_TTL_MS: '3000' }, undefined, ['--expose-gc'])
const sessions = await benchSessions(b.url, size.sessions, 3000)
await b.stop()

log(`ingest: a history sync of ${size.ingest} messages, then send_message through Baileys`)
const perChat = 100
const emu = await startEmulator()
// each round a fresh account, server and store; the round with the median rate is reported, the way the
// other cases report medians of their rounds. The last server stays up for the send case.
const ingestRounds: IngestFigures[] = []
let c: ServerProcess | undefined
for (let i = 0; i < ROUNDS; i++) {
  await c?.stop()
  const phone = `1555000111${i}`
  emu.setHistory(phone, { generate: { chats: Math.ceil(size.ingest / perChat), messagesPerChat: perChat }, chunkSize: 5000 })
  c = await startServerProcess(emu, { ...PROD, WA_WS_URL: emu.url, WA_SEND_DEDUP_WINDOW_MS: '0' })
  ingestRounds.push(await benchIngest(emu, c, phone, size.ingest, false))
  log(`ingest round ${i + 1}: ${fmt(ingestRounds.at(-1)!.perSecond)} messages/s`)
}
const ingest = [...ingestRounds].sort((x, y) => x.perSecond - y.perSecond)[Math.floor(ingestRounds.length / 2)]!
const friend = emu.person({ phone: '15550002222', name: 'Bench Friend' })
const send = await benchSend(c!.url, friend)
await c!.stop()
log('ingest again with an MCP read load at the same time')
emu.setHistory('15550003333', { generate: { chats: Math.ceil(size.ingest / perChat), messagesPerChat: perChat }, chunkSize: 5000 })
const d = await startServerProcess(emu, { ...PROD, WA_WS_URL: emu.url })
const ingest2: IngestFigures = await benchIngest(emu, d, '15550003333', size.ingest, true)
await d.stop()
await emu.close()
log('events: resource notifications to 1, 100 and 1,000 subscribed sessions; 10,000 waits')
const events = await benchEvents()
log('the receive path under the profiler: live messages into the WhatsApp worker')
// the profile covers linking and start-up too (about 30 samples of ours, 420 of Baileys'): enough messages make them weigh little
const receive = await profileReceive(QUICK ? 500 : 10_000)
log('webhooks: a backlog of message events delivered to a loopback receiver')
const hooks = await benchWebhooks(QUICK ? 2_000 : 20_000)
log('scheduler: scheduled sends due over a short window, and all at once')
const scheduler = await benchScheduler(QUICK ? 2_000 : 10_000)

// ---- report
const row = (...cells: string[]) => `| ${cells.join(' | ')} |`
out.push('# Benchmark results', '')
out.push(`Machine: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}, ${fmt(totalmem() / 2 ** 30, 1)} GiB; Node ${process.version}; ${new Date().toISOString()}; ${QUICK ? 'QUICK run (small sizes, short runs)' : `${ROUNDS} rounds × ${DURATION} s per point, medians`}.`)
out.push('Load generator: autocannon in its own process, pinned to core 1 where taskset works; the single-threaded baselines are pinned to core 0, our server (a main thread and workers) is not pinned. Ratios compare figures from this one run.', '')
out.push('## tools/call ping', '', `Each era against raw uWS fed the same request: the 2025 call (in its session) and the 2026 call (its \`_meta\` and the MCP-Protocol-Version, Mcp-Method and Mcp-Name headers on every request). Raw uWS and ours take turns round by round (${ROUNDS} rounds of each point, medians), so both meet the same spells of the machine.`, '', row('c', 'raw uWS req/s, 2025 request', 'raw uWS req/s, 2026 request', 'SDK req/s', 'ours JSON req/s', 'ours SSE req/s', 'ours 2026 stateless req/s', 'JSON / raw', '2026 / raw', 'JSON / SDK', 'SSE / SDK', 'ours p99 ms (JSON)', 'ours p99 ms (2026)', 'SDK p99 ms'), row('---', '---', '---', '---', '---', '---', '---', '---', '---', '---', '---', '---', '---', '---'))
for (const r of ping.rows) out.push(row(String(r.c), fmt(r.raw.rps), fmt(r.raw2026.rps), fmt(r.sdk.rps), fmt(r.json.rps), fmt(r.sse.rps), fmt(r.stateless.rps), fmt(r.json.rps / r.raw.rps, 2), fmt(r.stateless.rps / r.raw2026.rps, 2), fmt(r.json.rps / r.sdk.rps, 1), fmt(r.sse.rps / r.sdk.rps, 1), fmt(r.json.p99, 1), fmt(r.stateless.p99, 1), fmt(r.sdk.p99, 1)))
const raw16 = ping.rows.find((r) => r.c === 16)!.raw.rps
const raw64 = ping.rows.find((r) => r.c === 64)!.raw.rps
out.push('', `## Read tools on ${fmt(seed.chats)} chats, ${fmt(seed.messages)} messages, ${fmt(seed.contacts)} contacts`, '', 'cold: the answer cache off, every call reads SQLite. cached: the same call repeated against the default server (a polling agent), answered from the cache between store writes.', '', row('tool', 'answer', 'c', 'req/s', 'p50 ms', 'p99 ms', '/ raw uWS', '/ raw uWS, same reply bytes', 'errors'), row('---', '---', '---', '---', '---', '---', '---', '---', '---'))
const same = reads.rawSameSize
for (const r of reads.rows) {
  const sameRaw = r.tool === 'list_messages' ? same?.byC[r.c]?.rps : undefined
  out.push(row(r.tool, r.mode, String(r.c), fmt(r.r.rps), fmt(r.r.p50, 1), fmt(r.r.p99, 1), fmt(r.r.rps / (r.c === 64 ? raw64 : raw16), 2), sameRaw ? fmt(r.r.rps / sameRaw, 2) : '-', String(r.r.non2xx + r.r.errors)))
}
if (same) out.push('', `A list_messages reply of 50 messages is ${fmt(same.bytes / 1024, 1)} KiB (the page's JSON twice, as the text block and as structuredContent). Raw uWS answering with those very bytes: ${Object.entries(same.byC).map(([c, r]) => `${fmt(r.rps)} req/s at c = ${c}`).join(', ')}.`)
out.push('', '## send_message through Baileys to the emulator (c = 16)', '', `Every call a message of its own: ${fmt(send.rps)} req/s, p50 ${fmt(send.p50, 1)} ms, p99 ${fmt(send.p99, 1)} ms, errors ${send.non2xx + send.errors}; ${fmt(send.arrived)} of the ${fmt(send.sent)} messages sent (warm-up included) arrived at the phone.`)
out.push('', '## Ingest', '', `Seconds from the first history chunk the emulator sent to the last message in the store (in brackets: from the QR scan, with pairing and login). Event-loop delay is the lateness past the 10 ms sampling interval. The sync alone ran ${ingestRounds.length} times, each on a fresh account, server and store (${ingestRounds.map((r) => fmt(r.perSecond)).join(', ')} messages/s): the median round is shown.`, '', row('case', 'messages', 'seconds', 'messages/s', 'main-thread event-loop p99 ms', 'max ms', 'concurrent list_chats req/s, p99 ms'), row('---', '---', '---', '---', '---', '---', '---'))
for (const [name, f] of [['history sync alone', ingest], ['with an MCP read load (c = 8)', ingest2]] as const) out.push(row(name, fmt(f.messages), `${fmt(f.seconds, 1)} (${fmt(f.fromScanSeconds, 1)})`, fmt(f.perSecond), fmt(f.eventLoopP99Ms, 1), fmt(f.eventLoopMaxMs, 1), f.concurrentRead ? `${fmt(f.concurrentRead.rps)}, ${fmt(f.concurrentRead.p99, 1)}` : '-'))
out.push('', '## Our cost on the Baileys receive path', '', `${fmt(receive.messages)} live 1:1 messages from 20 people, received in ${fmt(receive.seconds, 1)} s with the server under --cpu-prof. Samples of the WhatsApp worker thread, each given to the nearest frame of ours, Baileys' or a library's on its stack (Node's own functions and the SQLite binding count for their caller): ours ${receive.worker.ours}, Baileys ${receive.worker.baileys}, its libraries (Signal, noise, protobuf) ${receive.worker.libraries}, Node with no caller of either ${receive.worker.node}, GC ${receive.worker.gc}. **Ours / (Baileys + its libraries) = ${fmt(receive.ourShare * 100, 1)}%.** Ours by frame: ${receive.ourFrames.slice(0, 5).map(([f, n]) => `${f.split('  ')[0]} (${f.split('  ')[1]?.replace(/:\d+$/, '')}) ${n}`).join(', ')}.`)
out.push('', '## Events', '', 'From the WhatsApp worker handing a message\'s batch over to the last notifications/resources/updated of that write written to every subscribed session (the server measures between the two; one message at a time).', '', row('subscribed sessions', 'messages', 'notifications received', 'p50 ms', 'p99 ms'), row('---', '---', '---', '---', '---'))
for (const n of events.notify) out.push(row(fmt(n.sessions), String(n.messages), fmt(n.received), n.p50Ms === null ? '-' : fmt(n.p50Ms, 1), n.p99Ms === null ? '-' : fmt(n.p99Ms, 1)))
out.push('', `${fmt(events.waits.count)} concurrent wait_for_messages calls (100 chats, 25 per session): ${fmt(events.waits.heapPerWaitBytes)} B of heap each, the open HTTP request and the MCP call included. One message to one chat woke ${events.waits.wokenByOneMessage} waiters and answered ${events.waits.answeredByIt}.`)
out.push('', '## Catalog', '', `tools/list publishes ${catalog.tools} tools in ${fmt(catalog.bytes / 1024, 1)} KB (${fmt(catalog.withoutOutput / 1024, 1)} KB without output schemas).`)
out.push('', '## Idle MCP sessions', '', `${fmt(sessions.count)} sessions: ${fmt(sessions.heapPerSessionBytes)} B of heap and ${fmt(sessions.rssPerSessionBytes)} B of RSS each (heap after a full GC). After they expired: ${sessions.sessionsLeft} left, heap ${fmt(sessions.heapAfterExpiryDeltaBytes / 1024)} KiB above where it started.`)
out.push('', `## Export of a chat with ${fmt(exp.messages)} messages and ${size.exportMediaMb} MB of media`, '', `${fmt(exp.bytes / 2 ** 20)} MB in ${fmt(exp.seconds, 1)} s: ${fmt(exp.mbPerSecond, 1)} MB/s; server RSS ${fmt(exp.baseRssMb)} MB before, ${fmt(exp.peakRssMb)} MB at peak; main-thread event-loop p99 ${fmt(exp.eventLoopP99Ms, 1)} ms.`)
out.push('', '## Webhook deliveries to a loopback receiver', '', `${fmt(hooks.events)} message events waiting in the store when the server starts, delivered (signed, POSTed over keep-alive through the URL guard, recorded in the outbox) to a receiver on 127.0.0.1 that answers 200: ${fmt(hooks.perSecond)} deliveries/s over ${fmt(hooks.seconds, 1)} s at concurrency ${hooks.concurrency}, ${fmt(hooks.perCpuSecond)} per second of the server's CPU time; ${hooks.repeats} repeats.`)
out.push('', '## Scheduler', '', SCHEDULER_INTRO, '', row('case', 'entries', 'due window s', 'p50 ms', 'p99 ms', 'max ms', 'early', 'add µs'), row('---', '---', '---', '---', '---', '---', '---', '---'))
for (const c of scheduler) out.push(row(c.name, fmt(c.entries), fmt(c.windowMs / 1000), fmt(c.p50Ms), fmt(c.p99Ms), fmt(c.maxMs), String(c.early), fmt(c.addUs, 1)))
out.push('', `Store seeding through the product's writer: ${fmt(seed.messages / (seed.ms / 1000))} messages/s.`)
const text = out.join('\n') + '\n'
const file = fileURLToPath(new URL('../../bench/RESULTS.md', import.meta.url))
writeFileSync(file, text)
console.log(`\n${text}`)
log(`written to ${file}`)
rmSync(dataA, { recursive: true, force: true })
process.exit(0)

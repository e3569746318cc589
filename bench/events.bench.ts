// Events: the latency from the WhatsApp worker handing a message over to the notifications/resources/updated
// bytes written for every subscribed session, with 1, 100 and 1,000 subscribed sessions (the server measures
// it between those two points, /api/status events.notify_latency); then the heap 10,000 concurrent
// wait_for_messages calls hold, and how many waiters one message wakes.
// `node dist/bench/events.bench.js` runs it alone.
import { request, type ClientRequest } from 'node:http'
import { startEmulator } from '../test/emulator/emulator.js'
import { startServerProcess, until } from '../test/helpers/server-process.js'
import { linkViaMcp } from '../test/helpers/link.js'
import { mcpSession, status, QUICK } from './lib.js'

export interface EventFigures {
  notify: Array<{ sessions: number; messages: number; received: number; p50Ms: number | null; p99Ms: number | null }>
  waits: { count: number; heapPerWaitBytes: number; wokenByOneMessage: number; answeredByIt: number }
}

const ACCOUNT = '15550009001'

/** a GET stream of one session, counting the resource updates it hears */
function listen(url: string, headers: Record<string, string>, onUpdate: () => void): ClientRequest {
  const req = request(url, { method: 'GET', headers: { ...headers, accept: 'text/event-stream' } }, (res) => {
    res.setEncoding('utf8')
    res.on('data', (chunk: string) => {
      for (let i = chunk.indexOf('resources/updated'); i >= 0; i = chunk.indexOf('resources/updated', i + 1)) onUpdate()
    })
  })
  req.end()
  return req
}

async function post(url: string, headers: Record<string, string>, body: unknown): Promise<string> {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers }, body: JSON.stringify(body) })
  return r.text()
}

export async function benchEvents(sessionCounts = QUICK ? [1, 100] : [1, 100, 1000], waits = QUICK ? 1000 : 10_000): Promise<EventFigures> {
  const emu = await startEmulator()
  const friend = emu.person({ phone: '15550009002', name: 'Bench Friend' })
  const others = Array.from({ length: 100 }, (_, i) => emu.person({ phone: `1555300${String(i).padStart(4, '0')}`, name: `Other ${i}` }))
  emu.setHistory(ACCOUNT, { chats: [friend, ...others].map((p) => ({ jid: p.phone, messages: [{ text: 'hello' }] })) })
  const server = await startServerProcess(emu, { NODE_ENV: 'production', LOG_LEVEL: 'info', BAILEYS_LOG_LEVEL: 'error', MCP_MAX_SESSIONS: '100000' }, undefined, ['--expose-gc'])
  const client = await server.mcp()
  await linkViaMcp(client, emu, ACCOUNT)
  await until(async () => (await status(server.url)).store.chats >= 101, 30_000, 'the chats stored')
  const mcp = `${server.url}/mcp`
  const uri = `whatsapp://chats/${encodeURIComponent(friend.jid)}`

  const notify: EventFigures['notify'] = []
  const streams: ClientRequest[] = []
  let received = 0
  let opened = 0
  for (const n of sessionCounts) {
    for (; opened < n; opened++) {
      const h = await mcpSession(mcp)
      streams.push(listen(mcp, h, () => received++))
      await post(mcp, h, { jsonrpc: '2.0', id: 2, method: 'resources/subscribe', params: { uri } })
    }
    await new Promise((r) => setTimeout(r, 500))
    const before = (await status(server.url)).events.notify_latency.count as number
    received = 0
    const messages = QUICK ? 10 : 40
    for (let i = 0; i < messages; i++) {
      await friend.sendText(ACCOUNT, `update ${i} for ${n} sessions`)
      // one message at a time, so each write carries one and the latency is one message's
      await until(async () => (await status(server.url)).events.notify_latency.count > before + i, 20_000, 'the notification')
    }
    const s = (await status(server.url)).events.notify_latency
    notify.push({ sessions: n, messages, received, p50Ms: s.p50_ms, p99Ms: s.p99_ms })
  }
  for (const r of streams) r.destroy()

  // 10,000 waits: 100 chats, a hundred each, 25 per session (a session may hold 32)
  const perSession = 25
  const sessions = await Promise.all(Array.from({ length: Math.ceil(waits / perSession) }, () => mcpSession(mcp)))
  const base = (await status(server.url, false, true)).process.heap_used as number
  const chats = others.map((p) => p.jid)
  const pending: Array<Promise<string>> = []
  for (let i = 0; i < waits; i++) pending.push(post(mcp, sessions[Math.floor(i / perSession)]!, { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'wait_for_messages', arguments: { chat_id: chats[i % chats.length], timeout_s: 300 } } }))
  await until(async () => (await status(server.url)).events.waiters >= waits, 120_000, 'every wait registered')
  const full = await status(server.url, false, true)
  const heapPerWaitBytes = (full.process.heap_used - base) / waits
  const wokenBefore = full.events.waiters_woken as number
  await others[0]!.sendText(ACCOUNT, 'wakes a hundred')
  await until(async () => (await status(server.url)).events.waiters <= waits - waits / chats.length, 20_000, 'the waiters of one chat answered')
  const after = await status(server.url)
  const figures: EventFigures = { notify, waits: { count: waits, heapPerWaitBytes, wokenByOneMessage: after.events.waiters_woken - wokenBefore, answeredByIt: waits - after.events.waiters } }
  server.child.kill('SIGKILL')
  void Promise.allSettled(pending)
  await client.close().catch(() => undefined)
  await emu.close()
  return figures
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchEvents()
  console.log(JSON.stringify(r, null, 2))
  process.exit(0)
}

// A 2025 request stream that broke is resumed with GET and Last-Event-ID: the client gets what it missed,
// above all the call's result, once, and only on the resumed stream. Real HTTP against the server process.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { request, type IncomingMessage } from 'node:http'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js'

let server: ServerProcess
const V = '2025-11-25'

before(async () => {
  server = await startServerProcess(undefined, { WA_WS_URL: 'ws://127.0.0.1:9/ws', MCP_CONFORMANCE_FIXTURES: 'true' })
})

after(async () => {
  await server?.stop()
})

async function session(): Promise<Record<string, string>> {
  const r = await fetch(`${server.url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: V, capabilities: {}, clientInfo: { name: 't', version: '1' } } }) })
  await r.text()
  const h = { 'mcp-session-id': r.headers.get('mcp-session-id')!, 'mcp-protocol-version': V }
  await (await fetch(`${server.url}/mcp`, { method: 'POST', headers: { ...h, 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) })).text()
  return h
}

interface SseEvent {
  id?: string
  data?: string
}

/** SSE events of a response as they come; `stop` says when to end (true: destroy the connection) */
function events(res: IncomingMessage, stop: (e: SseEvent, all: SseEvent[]) => boolean): Promise<SseEvent[]> {
  return new Promise((resolve) => {
    const all: SseEvent[] = []
    let buf = ''
    const done = () => resolve(all)
    res.setEncoding('utf8')
    res.on('data', (chunk: string) => {
      buf += chunk
      let i: number
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i)
        buf = buf.slice(i + 2)
        const e: SseEvent = {}
        for (const line of block.split('\n')) {
          if (line.startsWith('id: ')) e.id = line.slice(4)
          else if (line.startsWith('data: ') && line.length > 6) e.data = line.slice(6)
        }
        if (e.id === undefined && e.data === undefined) continue
        all.push(e)
        if (stop(e, all)) {
          res.destroy()
          return done()
        }
      }
    })
    res.on('end', done)
    res.on('close', done)
  })
}

/** the events a stream brings within `ms` (a stream that should have ended but hangs fails the test instead) */
const within = (res: IncomingMessage, ms: number, stop: (e: SseEvent, all: SseEvent[]) => boolean = () => false): Promise<SseEvent[]> => {
  const t = setTimeout(() => res.destroy(), ms)
  return events(res, stop).finally(() => clearTimeout(t))
}

function open(method: 'GET' | 'POST', headers: Record<string, string>, body?: unknown): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}/mcp`, { method, headers: { accept: 'text/event-stream', ...(body ? { 'content-type': 'application/json' } : {}), ...headers } }, resolve)
    req.on('error', reject)
    req.end(body ? JSON.stringify(body) : undefined)
  })
}

const call = (id: number) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'test_tool_with_progress', arguments: {}, _meta: { progressToken: `p${id}` } } })
const messages = (all: SseEvent[]) => all.filter((e) => e.data).map((e) => JSON.parse(e.data!) as { id?: number; method?: string; params?: { progress?: number }; result?: { content: Array<{ text: string }> } })
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

// the break comes after the priming event or after the first progress event; the client comes back while
// the call still runs or once it is over. Each way it gets the rest, the result last and once.
const CASES = [
  { name: 'broke after priming, back while the call runs', breakAfter: 'priming', waitMs: 0, expect: [0, 50, 100] },
  { name: 'broke after priming, back after the result', breakAfter: 'priming', waitMs: 400, expect: [0, 50, 100] },
  { name: 'broke after the first progress, back while the call runs', breakAfter: 'progress', waitMs: 0, expect: [50, 100] },
  { name: 'broke after the first progress, back after the result', breakAfter: 'progress', waitMs: 400, expect: [50, 100] }
] as const

for (const [i, c] of CASES.entries()) {
  test(`a resumed stream replays what was missed: ${c.name}`, async () => {
    const h = await session()
    const id = 10 + i
    const first = await events(await open('POST', h, call(id)), (e) => (c.breakAfter === 'priming' ? e.id !== undefined : e.data !== undefined))
    const last = first.at(-1)!.id!
    assert.ok(last, 'every event of a request stream has an id')
    if (c.waitMs) await sleep(c.waitMs)
    const resumed = await within(await open('GET', { ...h, 'last-event-id': last }), 3000)
    const msgs = messages(resumed)
    assert.deepEqual(msgs.filter((m) => m.method === 'notifications/progress').map((m) => m.params!.progress), c.expect)
    const results = msgs.filter((m) => m.id === id)
    assert.equal(results.length, 1, 'the result, once')
    assert.equal(results[0]!.result!.content[0]!.text, 'Tool with progress executed successfully')
    assert.equal(msgs.at(-1)!.id, id, 'the result comes last, and the resumed stream ends with it')
  })
}

test('a Last-Event-ID that names nothing kept opens the plain GET stream, and a result is not delivered twice', async () => {
  const h = await session()
  const first = await events(await open('POST', h, call(30)), (e) => e.id !== undefined)
  await sleep(400)
  // the result nobody took reaches a plain GET stream opened without (or with a useless) Last-Event-ID
  for (const bad of ['garbage', '99999-1', '']) {
    const res = await open('GET', { ...h, ...(bad ? { 'last-event-id': bad } : {}) })
    assert.equal(res.statusCode, 200)
    const got = await within(res, 600, (_e, all) => messages(all).some((m) => m.id === 30))
    if (bad === 'garbage') assert.equal(messages(got).filter((m) => m.id === 30).length, 1, 'the undelivered result, on the first GET stream')
    else assert.equal(messages(got).filter((m) => m.id === 30).length, 0, 'and never again')
  }
  // nor does a resume of its own stream repeat it now
  const again = await open('GET', { ...h, 'last-event-id': first[0]!.id! })
  const got = await within(again, 600)
  assert.equal(messages(got).filter((m) => m.id === 30).length, 0)
})

test('the v1 SDK client gets the result of a call whose stream broke after the priming event', async () => {
  let cut = false
  // a fetch that cuts the first tools/call stream right after its priming event, as a flaky network would
  const flaky: typeof fetch = async (input, init) => {
    const r = await fetch(input, init)
    const isCall = init?.method === 'POST' && typeof init.body === 'string' && init.body.includes('"tools/call"')
    if (!isCall || cut || !(r.headers.get('content-type') ?? '').includes('text/event-stream')) return r
    cut = true
    const reader = r.body!.getReader()
    const body = new ReadableStream<Uint8Array>({
      async pull(ctl) {
        const { value, done } = await reader.read()
        if (done) return ctl.close()
        ctl.enqueue(value)
        if (new TextDecoder().decode(value).includes('retry:')) {
          await reader.cancel()
          ctl.error(new Error('connection reset'))
        }
      }
    })
    return new Response(body, { status: r.status, headers: r.headers })
  }
  const client = new Client({ name: 'flaky', version: '1' })
  await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), { fetch: flaky, reconnectionOptions: { initialReconnectionDelay: 50, maxReconnectionDelay: 200, reconnectionDelayGrowFactor: 1, maxRetries: 5 } }))
  try {
    const r = await client.callTool({ name: 'test_tool_with_progress', arguments: {} }, undefined, { onprogress: () => undefined, timeout: 5000 })
    assert.ok(cut, 'the stream was cut')
    assert.equal((r.content as Array<{ text: string }>)[0]!.text, 'Tool with progress executed successfully')
  } finally {
    await client.close()
  }
})

// Authenticate before reading a body: many unauthenticated, slowly streamed large bodies to /mcp and the
// upload routes are answered at once and never buffered (the server's RSS is watched from /proc). And
// what a reader makes of the memory uWS lends it: copied for a promise, used in place by a callback.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { connect } from 'node:net'
import { startEmulator, type Emulator } from '../emulator/emulator.js'
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js'
import { readBody, withBody } from '../../src/http/read-body.js'
import type { HttpResponse } from '../../src/http/uws.js'

const CONNECTIONS = 20
const BODY_MB = 50
const CHUNK = 256 * 1024
// what the server may grow by while refusing them all: a fraction of the 1000 MB offered
const RSS_BOUND_MB = 100

let emu: Emulator
let server: ServerProcess

before(async () => {
  emu = await startEmulator()
  // limits above the offered size, so only the token stands between a body and the buffer
  server = await startServerProcess(emu, { ADMIN_TOKEN: 'body-admin', MCP_AUTH_TOKEN: 'body-mcp', MCP_MAX_BODY_MB: '64', UPLOAD_MAX_MB: '64', UPLOAD_ENABLED: 'true' })
})

after(async () => {
  await server?.stop()
  await emu?.close()
})

const rssMb = (pid: number): number => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024

/** the RSS once start-up is over (worker threads and pools grow it for a few seconds): steady for a second */
async function settled(pid: number): Promise<number> {
  const readings: number[] = []
  const end = Date.now() + 30_000
  while (Date.now() < end) {
    readings.push(rssMb(pid))
    const last = readings.slice(-5)
    if (last.length === 5 && Math.max(...last) - Math.min(...last) < 3) return Math.max(...last)
    await new Promise((r) => setTimeout(r, 250))
  }
  return Math.max(...readings.slice(-5))
}

interface Outcome {
  status: number
  /** body bytes written when the response arrived */
  sentAtResponse: number
}

/**
 * sends a whole BODY_MB body in CHUNK pieces, a piece every few milliseconds, on a raw socket, as an
 * attacker would: on, whatever the server answered meanwhile; resolves with the answer once all is sent
 */
function offer(port: number, path: string, headers: Record<string, string>): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const total = BODY_MB * 1024 * 1024
    let sent = 0
    let outcome: Outcome | undefined
    let timer: NodeJS.Timeout | undefined
    let received = ''
    const sock = connect(port, '127.0.0.1')
    const head = [`POST ${path} HTTP/1.1`, `Host: 127.0.0.1:${port}`, `Content-Length: ${total}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n')
    const piece = Buffer.alloc(CHUNK, 0x61)
    const pump = (): void => {
      if (sock.destroyed) return
      if (sent >= total) return done()
      sock.write(piece)
      sent += CHUNK
      timer = setTimeout(pump, 5)
    }
    let answered = false
    const done = (): void => {
      if (answered || sent >= total) finish()
    }
    const finish = (): void => {
      clearTimeout(timer)
      sock.destroy()
      if (outcome) resolve(outcome)
      else reject(new Error(`${path}: no answer (got ${JSON.stringify(received.slice(0, 80))})`))
    }
    sock.on('data', (d: Buffer) => {
      received += d.toString('latin1')
      const m = /^HTTP\/1\.1 (\d{3})/.exec(received)
      if (m && !outcome) outcome = { status: Number(m[1]), sentAtResponse: sent }
      // a whole answer: headers and a body of the stated length
      const end = received.indexOf('\r\n\r\n')
      const len = /content-length: (\d+)/i.exec(received)
      if (outcome && end > 0 && len && received.length >= end + 4 + Number(len[1])) {
        answered = true
        if (sent >= total) finish()
      }
    })
    sock.on('error', finish)
    sock.on('close', finish)
    sock.write(head)
    pump()
  })
}

const TARGETS: Array<{ path: string; headers: Record<string, string> }> = [
  { path: '/mcp', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' } },
  { path: '/api/upload', headers: { 'content-type': 'application/json' } },
  { path: '/api/upload-multipart', headers: { 'content-type': 'multipart/form-data; boundary=xyz' } },
  { path: '/api/settings', headers: { 'content-type': 'application/json' } },
  { path: '/api/pairing-code', headers: { 'content-type': 'application/json' } }
]

test('unauthenticated bodies are answered 401 before they are sent and never buffered: RSS stays flat under 20 x 50 MB', async (t) => {
  const pid = server.child.pid!
  const base = await settled(pid)
  let peak = base
  const watch = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 20)
  try {
    const runs = Array.from({ length: CONNECTIONS }, (_, i) => {
      const t = TARGETS[i % TARGETS.length]!
      // half carry a wrong token, half none at all
      const headers = i % 2 ? { ...t.headers, authorization: 'Bearer wrong' } : t.headers
      return offer(server.port, t.path, headers).then((o) => ({ ...o, path: t.path }))
    })
    const outcomes = await Promise.all(runs)
    for (const o of outcomes) {
      // wrong admin tokens are throttled after a few: 429 is as much a refusal before the body as 401
      assert.ok(o.status === 401 || (o.status === 429 && o.path.startsWith('/api/')), `${o.path}: ${o.status}`)
      assert.ok(o.sentAtResponse < BODY_MB * 1024 * 1024, `${o.path}: the answer came only after the whole body`)
    }
  } finally {
    clearInterval(watch)
  }
  const grew = peak - base
  t.diagnostic(`RSS ${base.toFixed(0)} MB before, peak ${peak.toFixed(0)} MB (+${grew.toFixed(0)} MB)`)
  assert.ok(grew < RSS_BOUND_MB, `RSS grew by ${grew.toFixed(0)} MB (from ${base.toFixed(0)} MB)`)
  // and the server still serves
  assert.equal((await fetch(`${server.url}/healthz`)).status < 500, true)
})

test('an authenticated body on the same routes is still read in full', async () => {
  const r = await fetch(`${server.url}/api/upload`, { method: 'POST', headers: { authorization: 'Bearer body-admin', 'content-type': 'application/json' }, body: JSON.stringify({ data: Buffer.alloc(3 * 1024 * 1024, 7).toString('base64'), filename: 'big.bin' }) })
  assert.equal(r.status, 201, await r.clone().text())
  assert.equal(((await r.json()) as { size: number }).size, 3 * 1024 * 1024)
})

/** a response that only takes an onData callback, and a way to feed it chunks the way uWS does */
function lender(): { res: HttpResponse; feed(bytes: string, last: boolean): void } {
  let onData: ((chunk: ArrayBuffer, last: boolean) => void) | undefined
  const res = { onData: (cb: typeof onData) => void (onData = cb) } as unknown as HttpResponse
  return {
    res,
    feed(bytes, last) {
      // uWS lends its receive buffer and writes the next bytes into it once the callback returns
      const memory = new ArrayBuffer(bytes.length)
      new Uint8Array(memory).set(Buffer.from(bytes))
      onData!(memory, last)
      new Uint8Array(memory).fill(0x78)
    }
  }
}

test('a body lent in one chunk is copied for a promise, and used in place by a callback that is done with it', async () => {
  const a = lender()
  const later = readBody(a.res, { aborted: false }, 1024)
  a.feed('{"one":1}', true)
  assert.equal((await later).toString(), '{"one":1}', 'the promise settles after uWS took its memory back: its bytes are a copy')
  const b = lender()
  const seen: Array<[string, boolean]> = []
  withBody(b.res, { aborted: false }, 1024, undefined, (body, borrowed) => seen.push([body.toString(), borrowed]), assert.fail)
  b.feed('{"two":2}', true)
  assert.deepEqual(seen, [['{"two":2}', true]])
})

test('a body in several chunks is gathered from copies, and one over the limit is refused as it streams', async () => {
  const a = lender()
  const seen: Array<[string, boolean]> = []
  withBody(a.res, { aborted: false }, 1024, undefined, (body, borrowed) => seen.push([body.toString(), borrowed]), assert.fail)
  a.feed('{"a":', false)
  a.feed('"b"', false)
  a.feed('}', true)
  assert.deepEqual(seen, [['{"a":"b"}', false]])
  const b = lender()
  const refused: string[] = []
  withBody(b.res, { aborted: false }, 8, undefined, () => assert.fail('over the limit'), (err) => refused.push(err.code))
  b.feed('{"a":', false)
  b.feed('"bcdef"}', true)
  assert.deepEqual(refused, ['PAYLOAD_TOO_LARGE'])
  await assert.rejects(readBody(lender().res, { aborted: false }, 8, 9), /larger than 8 bytes/, 'a declared length over the limit is refused before a byte is read')
})

// SSRF through media_url: a local server on 127.0.0.1 plays the thing that must never be reached, and every
// textual form of a URL pointing at it (or at another private target) must leave it without a single TCP
// connection. A second server on 127.0.0.2, which the guard is told to treat as public, plays an allowed
// host that redirects, answers slowly, or serves a file. Most rows go through stageMedia (the guard's real
// caller); the last tests go through stage_media on the real server process.
import { test, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Server, type IncomingMessage, type ServerResponse } from 'node:http'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { stageMedia } from '../../src/media/stage-media.js'
import { guardedFetch, MAX_REDIRECTS, type ResolvedAddress } from '../../src/media/url-guard.js'
import { AppError } from '../../src/errors/app-error.js'
import { call, startServerProcess } from '../helpers/server-process.js'

const HOP = '127.0.0.2'
let port = 0
let mediaDir: string
interface Counted {
  server: Server
  connections: number
  requests: string[]
}
let victim: Counted
let hop: Counted

function listen(host: string, p: number, handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<Counted> {
  const c: Counted = { server: createServer(), connections: 0, requests: [] }
  c.server.on('connection', () => c.connections++)
  c.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    c.requests.push(req.url ?? '')
    handle(req, res)
  })
  return new Promise((resolve, reject) => {
    c.server.once('error', reject)
    c.server.listen(p, host, () => resolve(c))
  })
}

// a fake DNS: public-looking names that resolve to what an attacker controls
const DNS: Record<string, string[]> = {
  'media.example': ['127.0.0.1'],
  'media.example.': ['127.0.0.1'],
  'v6-mapped.example': ['::ffff:127.0.0.1'],
  'v6-loop.example': ['::1'],
  'metadata.example': ['169.254.169.254'],
  'lan.example': ['192.168.1.10'],
  'ula.example': ['fd12:3456::1'],
  'round-robin.example': [HOP, '127.0.0.1'],
  'cdn.example': [HOP],
  localhost: ['127.0.0.1']
}
let resolutions: string[] = []
const resolve = async (name: string): Promise<ResolvedAddress[]> => {
  resolutions.push(name)
  const found = DNS[name]
  if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' })
  return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))
}
const guard = { resolve, trustAsPublic: [HOP] }

async function stage(url: string, o: { allowPrivate?: boolean; timeoutMs?: number; urlGuard?: typeof guard } = {}): Promise<{ code?: string; message?: string; size?: number }> {
  try {
    const s = await stageMedia({ media_url: url }, { mediaDir, roots: [], maxBytes: 1024 * 1024, fetchTimeoutMs: o.timeoutMs ?? 5000, allowPrivateUrls: o.allowPrivate ?? false, urlGuard: o.urlGuard ?? guard })
    return { size: s.size }
  } catch (err) {
    assert.ok(err instanceof AppError, `${url} threw a non-AppError: ${String(err)}`)
    return { code: err.code, message: err.message }
  }
}

before(async () => {
  mediaDir = mkdtempSync(join(tmpdir(), 'url-guard-'))
  hop = await listen(HOP, 0, (req, res) => {
    const u = new URL(req.url ?? '/', 'http://x')
    if (u.pathname === '/redirect') {
      res.writeHead(Number(u.searchParams.get('status') ?? 302), { location: u.searchParams.get('to') ?? '/' }).end()
    } else if (u.pathname === '/loop') {
      res.writeHead(302, { location: '/loop' }).end()
    } else if (u.pathname === '/stall') {
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.write('first bytes, then nothing')
    } else {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('public file')
    }
  })
  port = (hop.server.address() as AddressInfo).port
  // the same port on 127.0.0.1, so a URL that reaches the wrong address lands on the victim, not on nothing
  victim = await listen('127.0.0.1', port, (_req, res) => res.end('internal secret'))
})

after(async () => {
  hop.server.closeAllConnections()
  await Promise.all([hop, victim].map((c) => new Promise((r) => c.server.close(r))))
  rmSync(mediaDir, { recursive: true, force: true })
})

beforeEach(() => {
  if (!victim) return
  victim.connections = 0
  victim.requests = []
})

const untouched = (what: string): void => {
  assert.equal(victim.connections, 0, `${what}: the private server saw a connection (requests: ${victim.requests.join(', ')})`)
}

test('every textual form of a loopback or private URL host is refused before a connection is made', async () => {
  const forms = [
    `http://127.0.0.1:${port}/`, `HTTP://127.0.0.1:${port}/`, `https://127.0.0.1:${port}/`,
    `http://2130706433:${port}/`, `http://0x7f000001:${port}/`, `http://017700000001:${port}/`,
    `http://0x7f.1:${port}/`, `http://0x7f.0x0.0x0.0x1:${port}/`, `http://0177.0.0.1:${port}/`, `http://127.000.000.001:${port}/`,
    `http://127.1:${port}/`, `http://127.0.1:${port}/`, `http://127.0.0.1.:${port}/`, `http://%31%32%37.0.0.1:${port}/`, `http://①②⑦.0.0.1:${port}/`,
    `http://0:${port}/`, `http://0.0.0.0:${port}/`, `http://[::]:${port}/`, `http://[::1]:${port}/`, `http://[0:0:0:0:0:0:0:1]:${port}/`,
    `http://localhost:${port}/`, `http://localhost.:${port}/`, `http://LOCALHOST:${port}/`, `http://ⓛⓞⓒⓐⓛⓗⓞⓢⓣ:${port}/`, `http://anything.localhost:${port}/`,
    `http://[::ffff:127.0.0.1]:${port}/`, `http://[::ffff:7f00:1]:${port}/`, `http://[0:0:0:0:0:ffff:127.0.0.1]:${port}/`, `http://[::ffff:0:7f00:1]:${port}/`,
    `http://[::127.0.0.1]:${port}/`, `http://[64:ff9b::7f00:1]:${port}/`, `http://[64:ff9b::127.0.0.1]:${port}/`, `http://[2002:7f00:1::]:${port}/`,
    `http://[fd00::1]:${port}/`, `http://[fe80::1]:${port}/`, `http://169.254.169.254/latest/meta-data/`, `http://[::ffff:169.254.169.254]/`,
    `http://10.0.0.1:${port}/`, `http://192.168.0.1/`, `http://100.64.0.1/`, `http://224.0.0.1/`, `http://255.255.255.255/`,
    `http://public.example@127.0.0.1:${port}/`, `http://cdn.example:${port}@127.0.0.1:${port}/`, `http://1.1.1.1 &@127.0.0.1:${port}# @3.3.3.3/`, `http://127.0.0.1:${port}\\@cdn.example/`
  ]
  for (const url of forms) {
    const r = await stage(url)
    assert.equal(r.code, 'URL_FORBIDDEN', `${url}: ${JSON.stringify(r)}`)
    untouched(url)
  }
})

test('URLs that are not http(s) or not URLs at all are refused as invalid input, and nothing crashes', async () => {
  const forms = ['file:///etc/passwd', `ftp://127.0.0.1:${port}/`, `gopher://127.0.0.1:${port}/_x`, 'data:text/plain,hi', 'javascript:alert(1)', `ws://cdn.example:${port}/`,
    `http://[fe80::1%25eth0]:${port}/`, 'http://', 'http://[::1', '//127.0.0.1/', '127.0.0.1', 'not a url', '\u0000', 'http://%00/', `http://user:pw@cdn.example:${port}/`]
  for (const url of forms) {
    const r = await stage(url)
    assert.equal(r.code, 'INVALID_INPUT', `${url}: ${JSON.stringify(r)}`)
    untouched(url)
  }
})

test('a public-looking name that resolves to a private address is refused, judged on the resolved address, without echoing it', async () => {
  for (const name of ['media.example', 'media.example.', 'v6-mapped.example', 'v6-loop.example', 'metadata.example', 'lan.example', 'ula.example', 'round-robin.example']) {
    const r = await stage(`http://${name}:${port}/file.txt`)
    assert.equal(r.code, 'URL_FORBIDDEN', `${name}: ${JSON.stringify(r)}`)
    assert.match(r.message ?? '', new RegExp(name.replace(/\./g, '\\.')), 'the message names the host the caller gave')
    assert.doesNotMatch(r.message ?? '', /127\.0\.0\.|::1|::ffff|169\.254|192\.168|fd12/, `${name}: the message echoes an internal address`)
    untouched(name)
  }
  assert.equal((await stage(`http://nowhere.example:${port}/`)).code, 'MEDIA_FETCH_FAILED')
})

test('the name is resolved once per hop, so a rebinding answer after the check cannot be what is connected to', async () => {
  // first answer: the allowed host; any later answer: the private one
  let calls = 0
  const rebinding = async (name: string): Promise<ResolvedAddress[]> => {
    calls++
    return [{ address: calls === 1 ? HOP : '127.0.0.1', family: 4 }].filter(() => name === 'rebind.example')
  }
  const before = hop.requests.length
  const r = await stage(`http://rebind.example:${port}/a.txt`, { urlGuard: { resolve: rebinding, trustAsPublic: [HOP] } })
  assert.equal(r.size, 'public file'.length, JSON.stringify(r))
  assert.equal(calls, 1, 'one resolution for one hop')
  assert.deepEqual(hop.requests.slice(before), ['/a.txt'])
  untouched('rebind.example')
})

test('every redirect hop is checked: an allowed host that redirects to a private target never reaches it', async () => {
  const targets = [`http://127.0.0.1:${port}/`, `http://localhost:${port}/`, `http://[::ffff:127.0.0.1]:${port}/`, `http://2130706433:${port}/`, `//127.0.0.1:${port}/`,
    `http://media.example:${port}/`, `http://v6-mapped.example:${port}/`, 'http://169.254.169.254/latest/meta-data/', `http://[fd00::1]:${port}/`]
  for (const status of [301, 302, 303, 307, 308]) {
    for (const to of targets) {
      const r = await stage(`http://cdn.example:${port}/redirect?status=${status}&to=${encodeURIComponent(to)}`)
      assert.equal(r.code, 'URL_FORBIDDEN', `${status} to ${to}: ${JSON.stringify(r)}`)
      untouched(`${status} to ${to}`)
    }
  }
  for (const to of ['file:///etc/passwd', `gopher://127.0.0.1:${port}/`]) assert.equal((await stage(`http://cdn.example:${port}/redirect?to=${encodeURIComponent(to)}`)).code, 'INVALID_INPUT', to)
  untouched('redirects to other schemes')
})

test('redirects between allowed hosts are followed, and a loop stops after the bounded number of hops', async () => {
  const ok = await stage(`http://cdn.example:${port}/redirect?to=${encodeURIComponent(`http://${HOP}:${port}/file.txt`)}`)
  assert.equal(ok.size, 'public file'.length, JSON.stringify(ok))
  const before = hop.requests.length
  const loop = await stage(`http://cdn.example:${port}/loop`)
  assert.equal(loop.code, 'MEDIA_FETCH_FAILED')
  assert.equal(hop.requests.length - before, MAX_REDIRECTS + 1)
})

test('the timeout covers the streamed body, and connection errors do not name the resolved address', async () => {
  const t0 = Date.now()
  const slow = await stage(`http://cdn.example:${port}/stall`, { timeoutMs: 300 })
  assert.equal(slow.code, 'MEDIA_FETCH_FAILED')
  assert.match(slow.message ?? '', /timed out/)
  assert.ok(Date.now() - t0 < 3000)
  // a trusted address with nothing listening on the port
  const closed = await stage('http://cdn.example:9/', {})
  assert.equal(closed.code, 'MEDIA_FETCH_FAILED')
  assert.doesNotMatch(closed.message ?? '', /127\.0\.0\.2/)
})

test('guardedFetch on its own streams an allowed body as a Response; an odd path still stages', async () => {
  assert.equal((await stage(`http://cdn.example:${port}/%E0%A4%A.txt`)).size, 'public file'.length)
  const res = await guardedFetch(new URL(`http://cdn.example:${port}/x`), { allowPrivate: false, timeoutMs: 5000, ...guard })
  assert.equal(res.status, 200)
  assert.equal(res.headers.get('content-type'), 'text/plain')
  assert.equal(await res.text(), 'public file')
})

test('with MEDIA_URL_ALLOW_PRIVATE the local server is fetched, by literal and by name', async () => {
  for (const url of [`http://127.0.0.1:${port}/a.txt`, `http://localhost:${port}/b.txt`, `http://media.example:${port}/c.txt`]) {
    const r = await stage(url, { allowPrivate: true })
    assert.equal(r.size, 'internal secret'.length, `${url}: ${JSON.stringify(r)}`)
  }
  assert.equal(victim.requests.length, 3)
  // https goes through the same vetted lookup, and the certificate is checked against the name
  const tls = createHttpsServer({ cert: readFileSync(new URL('../../../test/fixtures/emulator-tls/cert.pem', import.meta.url)), key: readFileSync(new URL('../../../test/fixtures/emulator-tls/key.pem', import.meta.url)) }, (_req, res) => res.end('over tls'))
  await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r))
  const tlsPort = (tls.address() as AddressInfo).port
  try {
    assert.equal((await stage(`https://localhost:${tlsPort}/t.txt`, { allowPrivate: true })).size, 'over tls'.length)
    assert.equal((await stage(`https://media.example:${tlsPort}/t.txt`)).code, 'URL_FORBIDDEN')
    assert.equal((await stage(`https://media.example:${tlsPort}/t.txt`, { allowPrivate: true })).code, 'MEDIA_FETCH_FAILED', 'the certificate does not name media.example')
  } finally {
    tls.close()
  }
})

test('through stage_media on the real server, loopback forms never reach the local server, unless MEDIA_URL_ALLOW_PRIVATE=true', async () => {
  // no emulator: staging needs no WhatsApp link
  const env = { WA_WS_URL: 'ws://127.0.0.1:9/ws' }
  const [strict, open] = await Promise.all([startServerProcess(undefined, env), startServerProcess(undefined, { ...env, MEDIA_URL_ALLOW_PRIVATE: 'true' })])
  try {
    const client = await strict.mcp()
    for (const url of [`http://127.0.0.1:${port}/`, `http://localhost:${port}/`, `http://2130706433:${port}/`, `http://0x7f.1:${port}/`, `http://[::ffff:127.0.0.1]:${port}/`, `http://[::ffff:7f00:1]:${port}/`, `http://x@127.0.0.1:${port}/`]) {
      const r = await call(client, 'stage_media', { media_url: url })
      assert.equal(r.data.code, 'URL_FORBIDDEN', `${url}: ${JSON.stringify(r.data)}`)
      untouched(url)
    }
    await client.close()
    const allowed = await open.mcp()
    const r = await call(allowed, 'stage_media', { media_url: `http://localhost:${port}/note.txt` })
    assert.equal(r.ok, true, JSON.stringify(r.data))
    assert.equal(readFileSync(r.data.saved_path as string, 'utf8'), 'internal secret')
    await allowed.close()
  } finally {
    await Promise.all([strict.stop(), open.stop()])
  }
})

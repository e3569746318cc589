// Which uWebSockets.js runs: a native binary when one loads (its name in the start-up line), a refusal in
// one line without one, and with UWS_ALLOW_FALLBACK=1 a node:http fallback that answers every kind of
// route exactly as the native server does.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { chooseUws, listenExclusive } from '../../src/http/uws.js'
import uws from '../../src/http/uws.js'
import { createServer } from 'node:net'
import { startServerProcess, call, type ServerProcess } from '../helpers/server-process.js'

const MAIN = new URL('../../src/main.js', import.meta.url).pathname
const ADMIN = 'uws-admin-token'
const auth = { authorization: `Bearer ${ADMIN}` }
let native: ServerProcess
let fallback: ServerProcess
const file = randomBytes(3 * 1024 * 1024 + 17)

/** runs main.js to its exit: the code and everything it printed */
function runToExit(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', DATA_DIR: mkdtempSync(join(tmpdir(), 'wams-uws-')), PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (b: Buffer) => (stdout += b))
    child.stderr.on('data', (b: Buffer) => (stderr += b))
    const t = setTimeout(() => child.kill('SIGKILL'), 30_000)
    child.once('exit', (code) => {
      clearTimeout(t)
      resolve({ code, stdout, stderr })
    })
  })
}

before(async () => {
  ;[native, fallback] = await Promise.all([
    startServerProcess(undefined, { ADMIN_TOKEN: ADMIN }),
    startServerProcess(undefined, { ADMIN_TOKEN: ADMIN, UWS_USE_FALLBACK: '1', UWS_ALLOW_FALLBACK: '1' })
  ])
  for (const s of [native, fallback]) {
    mkdirSync(join(s.dataDir, 'media'), { recursive: true })
    writeFileSync(join(s.dataDir, 'media', 'big.bin'), file)
  }
})

after(async () => {
  await Promise.all([native?.stop(), fallback?.stop()])
})

test('a native uWS binary loads for this Node and libc, and start-up names it', async () => {
  const { choice } = chooseUws({})
  assert.equal(choice.native, true, `no native binary: ${choice.skipped.join('; ')}`)
  assert.match(choice.name, new RegExp(`uws_${process.platform}_${process.arch}_${process.versions.modules}\\.node$`))
  const line = native.logs.find((l) => typeof l.uws === 'string')!
  assert.equal(line.uws, choice.name)
  process.stdout.write(`# uWebSockets.js on Node ${process.versions.node}: ${choice.name}\n`)
})

test('the start-up line names the admin UI and MCP URLs', () => {
  const line = native.logs.find((l) => typeof l.uws === 'string')!
  assert.equal(line.admin, `${native.url}/admin`)
  assert.match(String(line.msg), new RegExp(`admin UI ${native.url}/admin`))
})

test('without a native binary start-up refuses in one line naming UWS_ALLOW_FALLBACK, no stack trace', async () => {
  const r = await runToExit({ UWS_USE_FALLBACK: '1' })
  assert.equal(r.code, 78)
  const lines = r.stderr.trim().split('\n')
  assert.equal(lines.length, 1, r.stderr)
  assert.match(lines[0]!, /No native uWebSockets\.js binary loads.*UWS_ALLOW_FALLBACK=1/)
  assert.doesNotMatch(r.stderr + r.stdout, /\n\s+at /)
})

test('UWS_ALLOW_FALLBACK=1 serves on node:http and says so', () => {
  const line = fallback.logs.find((l) => typeof l.uws === 'string')!
  assert.equal(line.uws, 'node:http fallback')
  assert.equal(line.level, 'warn')
})

// each request goes to both servers; status, the headers that matter and the body must be the same
const ROUTES: Array<{ name: string; path: string; init?: RequestInit; headers?: string[]; json?: boolean; keys?: string[] }> = [
  // the WhatsApp state behind it moves on its own: only the verdict is compared
  { name: 'health', path: '/healthz', json: true, keys: ['status'] },
  { name: 'unknown route', path: '/nope?x=1', json: true },
  { name: 'auth refused', path: '/api/settings', init: { headers: {} }, headers: ['www-authenticate'] },
  { name: 'settings', path: '/api/settings', json: true },
  { name: 'bad settings', path: '/api/settings', init: { method: 'POST', body: JSON.stringify({ upload_max_mb: -1 }), headers: { ...auth, 'content-type': 'application/json' } }, json: true },
  { name: 'media whole', path: '/media/big.bin', headers: ['content-type', 'content-length', 'accept-ranges'] },
  { name: 'media range', path: '/media/big.bin', init: { headers: { ...auth, range: 'bytes=1000-2000999' } }, headers: ['content-range', 'content-length'] },
  { name: 'media missing', path: '/media/none.bin' },
  { name: 'mcp wrong method', path: '/mcp', init: { method: 'PUT', headers: auth }, headers: ['allow'] },
  { name: 'admin page', path: '/admin', headers: ['content-type'] },
  { name: 'admin script', path: '/admin/app.js', headers: ['content-type'] }
]

for (const r of ROUTES) {
  test(`the fallback answers like native uWS: ${r.name}`, async () => {
    const [a, b] = await Promise.all(
      [native, fallback].map(async (s) => {
        const res = await fetch(`${s.url}${r.path}`, r.init ?? { headers: auth })
        const body = Buffer.from(await res.arrayBuffer())
        return { status: res.status, headers: Object.fromEntries((r.headers ?? []).map((h) => [h, res.headers.get(h)])), body: r.json ? JSON.parse(body.toString()) : body }
      })
    )
    if (r.keys) for (const x of [a!, b!]) x.body = Object.fromEntries(r.keys.map((k) => [k, (x.body as Record<string, unknown>)[k]]))
    assert.deepEqual(b, a)
  })
}

test('the fallback streams a large file byte for byte, and a range', async () => {
  const whole = await fetch(`${fallback.url}/media/big.bin`, { headers: auth })
  assert.equal(whole.status, 200)
  assert.ok(Buffer.from(await whole.arrayBuffer()).equals(file))
  const part = await fetch(`${fallback.url}/media/big.bin`, { headers: { ...auth, range: 'bytes=5-1048580' } })
  assert.equal(part.status, 206)
  assert.ok(Buffer.from(await part.arrayBuffer()).equals(file.subarray(5, 1048581)))
})

test('the fallback takes uploads (JSON and multipart) and serves what it stored', async () => {
  const up = await fetch(`${fallback.url}/api/upload`, { method: 'POST', headers: auth, body: JSON.stringify({ data: Buffer.from('hello file').toString('base64'), filename: 'hello.txt' }) })
  assert.equal(up.status, 201)
  const { url } = (await up.json()) as { url: string }
  assert.equal(await (await fetch(`${fallback.url}${url}`, { headers: auth })).text(), 'hello file')
  const form = new FormData()
  form.append('file', new Blob([file.subarray(0, 300_000)]), 'part.bin')
  const mp = await fetch(`${fallback.url}/api/upload-multipart`, { method: 'POST', headers: auth, body: form })
  assert.equal(mp.status, 201)
})

test('the fallback speaks MCP: initialize, tools/list, a tool call', async () => {
  const client = await fallback.mcp()
  const tools = await client.listTools()
  assert.ok(tools.tools.length > 20)
  const pong = await call(client, 'ping')
  assert.equal(pong.ok, true)
  await client.close()
})

test('the fallback picks routes as native uWS does, whatever order they were added in', async () => {
  const { uws: real } = chooseUws({})
  const { uws: fake } = chooseUws({ UWS_USE_FALLBACK: '1', UWS_ALLOW_FALLBACK: '1' })
  const paths = ['/x', '/x/static', '/x/7', '/x/7/more', '/y', '/', '/x?q=1']
  const answers = await Promise.all(
    [real, fake].map(async (u) => {
      const app = u.App()
      const reply = (name: string) => (res: import('uWebSockets.js').HttpResponse, req: import('uWebSockets.js').HttpRequest) => {
        res.end(`${name} ${req.getParameter(0) ?? ''} ${req.getQuery() ?? ''}`)
      }
      // the catch-all and the any-method routes first, the specific ones last
      app.any('/*', reply('any-wild')).any('/x', reply('any-x')).get('/x/*', reply('get-x-wild')).get('/x/:id', reply('get-x-id')).get('/x/static', reply('get-x-static')).get('/x', reply('get-x'))
      const socket = await new Promise<import('uWebSockets.js').us_listen_socket>((resolve) => app.listen('127.0.0.1', 0, (s) => resolve(s as import('uWebSockets.js').us_listen_socket)))
      const port = u.us_socket_local_port(socket)
      try {
        return await Promise.all(paths.map(async (p) => `${p} -> ${await (await fetch(`http://127.0.0.1:${port}${p}`)).text()}`))
      } finally {
        u.us_listen_socket_close(socket)
      }
    })
  )
  assert.deepEqual(answers[1], answers[0])
})

test('listenExclusive: a second app on a port the first holds fails to listen instead of sharing it', async () => {
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port: p } = s.address() as { port: number }
      s.close(() => resolve(p))
    })
  })
  const listen = (): Promise<import('uWebSockets.js').us_listen_socket | false> => new Promise((resolve) => listenExclusive(uws.App(), '127.0.0.1', port, resolve))
  const first = await listen()
  assert.ok(first)
  const second = await listen()
  uws.us_listen_socket_close(first)
  if (second) uws.us_listen_socket_close(second)
  assert.equal(second, false)
})

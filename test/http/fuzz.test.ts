// Malformed input never yields a 500: every route of the server's own route table, each with several
// methods, x bad percent-encoding, bad cookies, JSON bodies that are not objects or not UTF-8, wrong content
// types, absurd Content-Length, path traversal, very long paths and headers; with and without a token.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { tmpdir } from 'node:os'
import { fileURLToPath } from 'node:url'
import { startEmulator, type Emulator } from '../emulator/emulator.js'
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js'
import { raw, type RawRequest, type RawResponse } from '../helpers/raw-http.js'
import { routeTable, type ConcreteRoute } from '../helpers/routes.js'

const ADMIN = 'fuzz-admin-token'
const MCP = 'fuzz-mcp-token'
const REPO = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '')
// what a stack trace or a Node error looks like, in a body or a log line
const STACK = /\bat [\w$.<>]+ \(|\bat (file|node):|\n\s+at |\b(TypeError|ReferenceError|RangeError|SyntaxError|URIError): /
const CONCURRENCY = 8

let emu: Emulator
let server: ServerProcess

before(async () => {
  emu = await startEmulator()
  server = await startServerProcess(emu, { ADMIN_TOKEN: ADMIN, MCP_AUTH_TOKEN: MCP, UPLOAD_ENABLED: 'true', WA_SEND_READY_WAIT_MS: '0', OAUTH_ENABLED: 'true', PUBLIC_BASE_URL: 'https://wa.example.com' })
})

after(async () => {
  await server?.stop()
  await emu?.close()
})

interface Input {
  name: string
  /** a protocol-level mess uWS itself may drop without an answer */
  mayDrop?: boolean
  req(route: ConcreteRoute): RawRequest
}

const deep = '['.repeat(20_000) + ']'.repeat(20_000)
const badUtf8 = Buffer.from([0x7b, 0x22, 0x74, 0x6f, 0x6b, 0x65, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d])
const BAD_SEGMENTS = ['%', '%zz', '%E0%A4%A', '%00', '..%2F..%2Fstore.sqlite', '%2e%2e', 'a%ffb']
const json = (body: string | Buffer, type = 'application/json') => (r: ConcreteRoute): RawRequest => ({ method: r.method, path: r.path, headers: { 'content-type': type, accept: 'application/json, text/event-stream' }, body })

const INPUTS: Input[] = [
  ...BAD_SEGMENTS.map((seg) => ({ name: `parameter ${seg}`, req: (r: ConcreteRoute) => ({ method: r.method, path: r.pattern.replace(/:[a-z]+/gi, seg).replace(/\*$/, seg) }) })),
  { name: 'bad query encoding', req: (r) => ({ method: r.method, path: `${r.path}?%zz=%&limit=%E0%A4&cursor=%ff%fe&q=%&include_media=%00` }) },
  { name: 'absurd query numbers', req: (r) => ({ method: r.method, path: `${r.path}?limit=1e999&cursor=${'A'.repeat(3000)}&ms=-1&kind=crash` }) },
  { name: 'path traversal', req: (r) => ({ method: r.method, path: `${r.path}/../../../../etc/passwd` }) },
  { name: 'encoded traversal', req: (r) => ({ method: r.method, path: `${r.path}/..%2f..%2f..%2fetc%2fpasswd` }) },
  { name: 'bad cookie encoding', req: (r) => ({ method: r.method, path: r.path, headers: { cookie: 'admin_token=%E0%A4%A; other=%' } }) },
  { name: 'cookie junk', req: (r) => ({ method: r.method, path: r.path, headers: { cookie: ';;; =;admin_token="x; admin_token=\xff\xfe' } }) },
  { name: 'json null', req: json('null') },
  { name: 'json array', req: json('[]') },
  { name: 'json number', req: json('42') },
  { name: 'json string', req: json('"x"') },
  { name: 'json deep nesting', req: json(deep) },
  { name: 'json invalid utf-8', req: json(badUtf8) },
  { name: 'json truncated', req: json('{"data": "aGVsbG8=", "filename": ') },
  { name: 'json wrong field types', req: json('{"data": null, "token": {}, "phone": 5, "filename": [], "upload_max_mb": "x", "jsonrpc": "2.0", "id": {}, "method": 7}') },
  { name: 'json prototype keys', req: json('{"__proto__": {"admin": true}, "constructor": {"prototype": 1}}') },
  { name: 'json-rpc null params', req: json('{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": null}') },
  { name: 'json-rpc batch of junk', req: json('[null, 1, {"jsonrpc": "2.0"}, []]') },
  { name: 'text/plain body', req: json('{"token": "x"}', 'text/plain') },
  { name: 'multipart without boundary', req: json('--x\r\n\r\n', 'multipart/form-data') },
  { name: 'multipart garbage', req: json('--b\r\nContent-Disposition: form-data; name="f"; filename="../../x"\r\n\r\nhi\r\n--b', 'multipart/form-data; boundary=b') },
  { name: 'form urlencoded', req: json('token=%zz&phone=%', 'application/x-www-form-urlencoded') },
  { name: 'content type junk', req: json('{}', ';;;/;charset=\xff') },
  { name: 'absurd content-length', mayDrop: true, req: (r) => ({ method: r.method, path: r.path, headers: { 'content-type': 'application/json', 'content-length': '99999999999999999999' }, body: '{}', timeoutMs: 800 }) },
  { name: 'huge declared content-length', mayDrop: true, req: (r) => ({ method: r.method, path: r.path, headers: { 'content-type': 'application/json', 'content-length': String(2 ** 40) }, body: '{}', timeoutMs: 800 }) },
  { name: 'very long path', mayDrop: true, req: (r) => ({ method: r.method, path: `${r.path}/${'a'.repeat(20_000)}`, timeoutMs: 800 }) },
  { name: 'very long header', mayDrop: true, req: (r) => ({ method: r.method, path: r.path, headers: { 'x-long': 'a'.repeat(20_000) }, timeoutMs: 800 }) },
  { name: 'many headers', mayDrop: true, req: (r) => ({ method: r.method, path: r.path, headers: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`x-h${i}`, 'v'])), timeoutMs: 800 }) },
  { name: 'chunked body', mayDrop: true, req: (r) => ({ method: r.method, path: r.path, headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, body: '{"a":1}', timeoutMs: 800 }) },
  { name: 'odd mcp headers', req: (r) => ({ method: r.method, path: r.path, headers: { 'mcp-session-id': '%zz\xff', 'mcp-protocol-version': '\xff', accept: '\xff', range: 'bytes=99999999999999999999-', 'last-event-id': '-1' } }) }
]

const credential = (r: ConcreteRoute): Record<string, string> => ({ authorization: `Bearer ${r.path.startsWith('/mcp') ? MCP : ADMIN}` })

/** a 5xx that says "not now" about WhatsApp, not about the input: the worker restarting or not connected */
const notNow = (r: RawResponse): boolean => {
  const e = (r.json as { error?: { code?: unknown; retryable?: unknown } } | undefined)?.error
  return r.status === 503 && e?.retryable === true && typeof e.code === 'string' && /^(WA_|SHUTTING_DOWN)/.test(e.code)
}

async function pool<T>(items: T[], n: number, fn: (x: T) => Promise<void>): Promise<void> {
  let i = 0
  await Promise.all(Array.from({ length: n }, async () => {
    while (i < items.length) await fn(items[i++]!)
  }))
}

test('malformed input on every route and method: no 5xx, JSON error bodies, no stack traces, and the server keeps serving', async (t) => {
  const routes = (await routeTable(server)).filter((r) => r.pattern !== '/healthz')
  // each path also with the methods it was not registered for
  const paths = [...new Set(routes.map((r) => r.path))]
  const cases = [...routes, ...paths.flatMap((path) => ['PUT', 'OPTIONS'].map((method) => ({ method, path, pattern: routes.find((r) => r.path === path)!.pattern })))]
  const logStart = server.logs.length
  const failures: string[] = []
  let answered = 0
  let dropped = 0
  const jobs = cases.flatMap((route) => INPUTS.flatMap((input) => (input.mayDrop ? [true] : [false, true]).map((authed) => ({ route, input, authed }))))
  await pool(jobs, CONCURRENCY, async ({ route, input, authed }) => {
    const req = input.req(route)
    if (authed) req.headers = { ...credential(route), ...req.headers }
    const what = `${req.method} ${req.path.slice(0, 100)} [${input.name}${authed ? ', authed' : ''}]`
    let res: RawResponse
    try {
      res = await raw(server.port, req)
    } catch (err) {
      if (input.mayDrop) return void dropped++
      return void failures.push(`${what}: no answer (${(err as Error).message})`)
    }
    answered++
    if (res.status >= 500 && !notNow(res)) failures.push(`${what}: ${res.status} ${res.text.slice(0, 200)}`)
    if (STACK.test(res.text)) failures.push(`${what}: a stack trace in the body`)
    for (const secret of [server.dataDir, REPO, tmpdir() + '/']) if (res.text.includes(secret)) failures.push(`${what}: a server path in the body`)
    // the OAuth token, registration and revocation endpoints answer in RFC 6749 §5.2's form, with our code beside it
    // (a path past them is no route of theirs: the catch-all's 404 is the stable body)
    if (res.status >= 400 && /^\/oauth\/(token|register|revoke)$/.test(route.pattern) && typeof (res.json as { error?: unknown } | undefined)?.error !== 'object') {
      const o = res.json as { error?: unknown; error_description?: unknown; code?: unknown } | undefined
      if (typeof o?.error !== 'string' || typeof o.error_description !== 'string' || typeof o.code !== 'string') failures.push(`${what}: ${res.status} without an OAuth error body: ${res.text.slice(0, 120)}`)
    } else if (res.status >= 400) {
      const e = (res.json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error
      if (typeof e?.message !== 'string' || (typeof e.code !== 'string' && typeof e.code !== 'number')) failures.push(`${what}: ${res.status} without a JSON error body: ${res.text.slice(0, 120)}`)
    }
  })
  t.diagnostic(`${jobs.length} requests over ${cases.length} route x method pairs: ${answered} answered, ${dropped} dropped by uWS (oversized or unparseable requests)`)
  const lines = server.logs.slice(logStart).filter((l) => (typeof l.level === 'number' ? l.level >= 50 : l.level === 'error' || l.level === 'fatal') || STACK.test(JSON.stringify(l)))
  for (const l of lines.slice(0, 10)) failures.push(`log: ${JSON.stringify(l).slice(0, 300)}`)
  assert.deepEqual(failures.slice(0, 30), [], `${failures.length} failures`)
  const health = await raw(server.port, { path: '/healthz' })
  assert.ok(health.status === 200 || health.status === 503, `healthz ${health.status}`)
  assert.equal((await raw(server.port, { path: '/api/status', headers: { authorization: `Bearer ${ADMIN}` } })).status, 200)
})

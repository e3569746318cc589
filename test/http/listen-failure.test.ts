// Start-up that cannot listen stops with one line saying why, never a stack trace, and a port another
// server holds is never shared with it.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js'

const MAIN = new URL('../../src/main.js', import.meta.url).pathname
let first: ServerProcess

function runToExit(env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', DATA_DIR: mkdtempSync(join(tmpdir(), 'wams-listen-')), ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (b: Buffer) => (out += b))
    child.stderr.on('data', (b: Buffer) => (err += b))
    const t = setTimeout(() => child.kill('SIGKILL'), 30_000)
    child.once('exit', (code) => {
      clearTimeout(t)
      resolve({ code, out, err })
    })
  })
}

// a fixed port: Linux never lets a second SO_REUSEPORT socket join a port the kernel picked (PORT=0), so
// only a named port shows whether a second server would share it
const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })

before(async () => {
  first = await startServerProcess(undefined, { WA_WS_URL: 'ws://127.0.0.1:9', PORT: String(await freePort()) })
})
after(async () => first?.stop())

const CASES: Array<{ name: string; env: () => Record<string, string>; line: () => RegExp }> = [
  { name: 'a port another server holds', env: () => ({ PORT: String(first.port), HOST: '127.0.0.1' }), line: () => new RegExp(`^Port ${first.port} on 127\\.0\\.0\\.1 is in use by another process: stop it or set PORT to a free port\\.$`) },
  { name: 'an address this machine does not have', env: () => ({ PORT: '0', HOST: '192.0.2.1', MCP_AUTH_TOKEN: 't', ADMIN_TOKEN: 't' }), line: () => /^Cannot listen on 192\.0\.2\.1:0: EADDRNOTAVAIL\.$/ }
]

for (const c of CASES) {
  test(`start-up on ${c.name} stops with exit 78 and one line`, async () => {
    const r = await runToExit({ WA_WS_URL: 'ws://127.0.0.1:9', ...c.env() })
    assert.equal(r.code, 78)
    const lines = r.err.trim().split('\n')
    assert.equal(lines.length, 1, r.err)
    assert.match(lines[0]!, c.line())
    assert.doesNotMatch(r.err + r.out, /\n\s+at |AppError/)
  })
}

test('the first server still answers after a second one tried its port', async () => {
  assert.equal((await fetch(`${first.url}/healthz`)).status, 200)
})

// Every thread's console goes through a redacting logger: the main thread of a real server process, and a
// pool thread from the moment the pool's entry loads (the WhatsApp worker's is shown by the end-to-end scan
// in secrets-in-output.test.ts, where libsignal itself prints).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createInterface } from 'node:readline'
import { consoleEntry } from '../../src/log/console-capture.js'
import { startServerProcess } from '../helpers/server-process.js'
import { renderings } from '../helpers/auth-secrets.js'

const KEY = createHash('sha256').update('a root key').digest()
const b64 = KEY.toString('base64')
const TOKEN = 'adm-tok-5e1c0a9b77d2'
const FIXTURE = new URL('../fixtures/console-after-start.js', import.meta.url).pathname

test('a console call becomes one entry: words as the message, objects as args', () => {
  assert.deepEqual(consoleEntry(['Closing session:', { a: 1 }, 3, null]), { obj: { args: [{ a: 1 }] }, msg: 'Closing session: 3 null' })
  assert.deepEqual(consoleEntry(['only words']), { obj: {}, msg: 'only words' })
})

test("the server's main thread logs console output as redacted JSON lines", { timeout: 30_000 }, async () => {
  const server = await startServerProcess(undefined, { LOG_LEVEL: 'debug', ADMIN_TOKEN: TOKEN, FIXTURE_KEY_HEX: KEY.toString('hex') }, undefined, ['--import', FIXTURE])
  try {
    await server.waitLog((l) => l.source === 'console' && l.level === 'error')
    const info = await server.waitLog((l) => l.source === 'console' && l.msg === 'Opening session:')
    assert.equal(info.thread, 'main')
    assert.equal(info.level, 'debug')
  } finally {
    await server.stop()
  }
  const out = server.lines.join('\n')
  for (const s of [TOKEN, ...renderings(KEY)]) assert.ok(!out.includes(s), `${s} printed`)
})

test("a pool thread's console goes through a redacting logger from the moment the pool's entry loads", async () => {
  const tasks = new URL('../../workers/pool/tasks.js', import.meta.url).href
  const inThread = `import(${JSON.stringify(tasks)}).then(() => { console.info('Opening session:', { currentRatchet: { privKey: Buffer.from(${JSON.stringify(b64)}, 'base64') } }); console.warn('token', ${JSON.stringify(TOKEN)}); setInterval(() => {}, 1000) })`
  // a process of its own: pino in a thread writes to the process's fd 1, not to the thread's stdout stream
  const child = spawn(process.execPath, ['--input-type=module', '-e', `import { Worker } from 'node:worker_threads'; new Worker(${JSON.stringify(inThread)}, { eval: true })`], { env: { ...process.env, LOG_LEVEL: 'debug', ADMIN_TOKEN: TOKEN }, stdio: ['ignore', 'pipe', 'inherit'] })
  const lines: Array<Record<string, unknown>> = []
  let out = ''
  try {
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no console lines from the pool thread: ${out}`)), 15_000)
      createInterface({ input: child.stdout! }).on('line', (l) => {
        out += `${l}\n`
        lines.push(JSON.parse(l) as Record<string, unknown>)
        if (lines.filter((x) => x.source === 'console').length >= 2) {
          clearTimeout(t)
          resolve()
        }
      })
    })
  } finally {
    child.kill('SIGKILL')
  }
  assert.ok(lines.some((l) => l.thread === 'pool' && l.level === 'debug' && l.msg === 'Opening session:'), out)
  assert.ok(lines.some((l) => l.thread === 'pool' && l.level === 'warn'), out)
  for (const s of [TOKEN, ...renderings(KEY)]) assert.ok(!out.includes(s), `${s} in ${out}`)
})

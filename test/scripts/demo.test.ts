// `npm run demo` as a newcomer runs it: the emulator, the seeded account, a linked server, then Ctrl+C.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { until } from '../helpers/server-process.js'

const DEMO = new URL('../../scripts/demo.js', import.meta.url).pathname

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })

test('the demo links a seeded account, serves the admin API and MCP, and stops on SIGTERM', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'demo-'))
  const port = await freePort()
  const child = spawn(process.execPath, [DEMO], { cwd, env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()))
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  try {
    await until(() => out.includes('MCP endpoint'), 60_000, 'the demo banner')
    assert.doesNotMatch(out, /MaxListenersExceeded|Error/)
    const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as { status: string; state: string }
    assert.equal(health.state, 'open')
    const chats = await until(async () => {
      const r = (await (await fetch(`http://127.0.0.1:${port}/api/chats?limit=50`)).json()) as { chats: unknown[] }
      return r.chats.length >= 20 ? r.chats : undefined
    }, 20_000, 'the demo chats')
    assert.ok(chats.length >= 20)
    child.kill('SIGTERM')
    assert.equal(await exited, 0)
    await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`), 'the server stopped with the demo')
  } finally {
    child.kill('SIGKILL')
    rmSync(cwd, { recursive: true, force: true })
  }
})

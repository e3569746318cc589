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

interface DemoRun {
  port: number
  out: string
  get<T>(path: string): Promise<T>
}

/** runs the demo in `cwd` (its data folder is cwd/data-demo), hands it to `fn`, then stops it with SIGTERM */
async function withDemo(cwd: string, fn: (d: DemoRun) => Promise<void>): Promise<void> {
  const port = await freePort()
  const child = spawn(process.execPath, [DEMO], { cwd, env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] })
  const run: DemoRun = {
    port,
    out: '',
    get: async <T>(path: string) => (await (await fetch(`http://127.0.0.1:${port}${path}`)).json()) as T
  }
  child.stdout!.on('data', (d: Buffer) => (run.out += d.toString()))
  child.stderr!.on('data', (d: Buffer) => (run.out += d.toString()))
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  try {
    await until(() => run.out.includes('MCP endpoint'), 60_000, 'the demo banner')
    await fn(run)
    child.kill('SIGTERM')
    assert.equal(await exited, 0)
    await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`), 'the server stopped with the demo')
  } finally {
    child.kill('SIGKILL')
  }
}

interface StoreCounts {
  chats: number
  messages: number
  contacts: number
  groups: number
}

// what the README promises the demo holds: 20 chats with people (164 messages, 4 of them media) and 3 groups
// (12 messages each); Ada's live messages come only after 30 s, later than these runs
const DEMO_COUNTS = { chats: 23, groups: 3, messages: 200 }

test('the demo links a seeded account, serves the admin API and MCP, and stops on SIGTERM; a second run adds nothing', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'demo-'))
  const counts: StoreCounts[] = []
  try {
    for (let round = 0; round < 2; round++) {
      await withDemo(cwd, async (d) => {
        assert.doesNotMatch(d.out, /MaxListenersExceeded|Error/)
        const health = await d.get<{ status: string; state: string }>('/healthz')
        assert.equal(health.state, 'open')
        // this run's history sync (the worker counts it from zero on every start), then a store that holds still
        let previous = ''
        const store = await until(async () => {
          const st = await d.get<{ whatsapp: { history: { messages: number } | null }; store: StoreCounts & { pending_writes: number } }>('/api/status')
          const now = JSON.stringify(st.store)
          const settled = (st.whatsapp.history?.messages ?? 0) >= DEMO_COUNTS.messages && st.store.pending_writes === 0 && now === previous
          previous = now
          return settled ? st.store : undefined
        }, 30_000, 'the demo history stored', 500)
        assert.deepEqual({ chats: store.chats, groups: store.groups, messages: store.messages }, DEMO_COUNTS, `round ${round + 1}`)
        counts.push(store)
        const chats = (await d.get<{ chats: Array<{ jid: string; is_group: boolean }> }>('/api/chats?limit=100')).chats
        assert.equal(chats.length, DEMO_COUNTS.chats)
        // the account writes in its groups too: those messages are its own
        const group = chats.find((c) => c.is_group)!
        const msgs = (await d.get<{ messages: Array<{ from_me: boolean; sender_jid?: string }> }>(`/api/chats/${encodeURIComponent(group.jid)}/messages?limit=50`)).messages
        const own = msgs.filter((m) => m.sender_jid === '15550001111@s.whatsapp.net')
        assert.ok(own.length > 0, 'the account wrote in the group')
        assert.ok(own.every((m) => m.from_me), 'its own group messages are from_me')
        assert.ok(msgs.filter((m) => !m.from_me).every((m) => m.sender_jid !== '15550001111@s.whatsapp.net'))
      })
    }
    assert.deepEqual(counts[1], counts[0], 'the second run on the same data folder changed the store')
  } finally {
    rmSync(cwd, { recursive: true, force: true })
  }
})

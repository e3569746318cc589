// The emulator as a separate process (as the demo and black-box tests use it), with Baileys in this one.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import makeWASocket, { useMultiFileAuthState, WA_CERT_DETAILS, Browsers } from '@whiskeysockets/baileys'

const CLI = new URL('./cli.js', import.meta.url).pathname
const child = spawn(process.execPath, [CLI, '--seed', 'demo'], { stdio: ['pipe', 'pipe', 'inherit'] })
after(() => {
  child.kill('SIGTERM')
})

test('the standalone emulator prints its URL and root key, and links a client that scans through it', async () => {
  const lines = createInterface({ input: child.stdout! })
  const events: Array<Record<string, unknown>> = []
  const waitLine = (match: (l: Record<string, unknown>) => boolean) =>
    new Promise<Record<string, unknown>>((resolve) => {
      const hit = events.find(match)
      if (hit) return resolve(hit)
      lines.on('line', (l) => {
        const j = JSON.parse(l) as Record<string, unknown>
        events.push(j)
        if (match(j)) resolve(j)
      })
    })
  const info = await waitLine((l) => typeof l.url === 'string')
  assert.match(info.url as string, /^ws:\/\/127\.0\.0\.1:\d+\/ws\/chat$/)
  assert.equal(Buffer.from(info.rootKey as string, 'base64').length, 32)
  WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(info.rootKey as string, 'base64')
  const { state, saveCreds } = await useMultiFileAuthState(mkdtempSync(join(tmpdir(), 'cli-auth-')))
  const opened = new Promise<void>((resolve, reject) => {
    const connect = () => {
      const sock = makeWASocket({ auth: state, waWebSocketUrl: info.url as string, logger: pino({ level: 'silent' }), browser: Browsers.ubuntu('Chrome'), markOnlineOnConnect: false })
      sock.ev.on('creds.update', saveCreds)
      sock.ev.on('connection.update', (u) => {
        if (u.qr) child.stdin!.write(`${u.qr}\n`)
        if (u.connection === 'open') {
          resolve()
          sock.end(undefined)
        }
        if (u.connection === 'close') {
          const code = (u.lastDisconnect?.error as { output?: { statusCode?: number } } | undefined)?.output?.statusCode
          if (code === 515) connect()
          else if (code !== 428) reject(u.lastDisconnect?.error)
        }
      })
    }
    connect()
  })
  await opened
  assert.ok(events.some((e) => e.event === 'paired'))
})

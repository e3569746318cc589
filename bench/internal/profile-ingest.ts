// Where the time goes during a history sync: the server runs with --cpu-prof (every thread writes its own
// profile), a 100k-message sync is ingested, and the top self-time functions of each thread are printed.
// `node dist/bench/internal/profile-ingest.js [messages]`; profiles land in bench/out/prof/.
import { mkdirSync, rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { startEmulator } from '../../test/emulator/emulator.js'
import { startServerProcess, call, until } from '../../test/helpers/server-process.js'
import { printProfiles } from './cpu-profile.js'

const messages = Number(process.argv[2] ?? 100_000)
const dir = fileURLToPath(new URL('../../../bench/out/prof/', import.meta.url))
rmSync(dir, { recursive: true, force: true })
mkdirSync(dir, { recursive: true })

const emu = await startEmulator()
emu.setHistory('15550001111', { generate: { chats: Math.ceil(messages / 100), messagesPerChat: 100 }, chunkSize: 5000 })
const server = await startServerProcess(emu, { LOG_LEVEL: 'info', BAILEYS_LOG_LEVEL: 'error' }, undefined, ['--cpu-prof', `--cpu-prof-dir=${dir}`])
const client = await server.mcp()
const qr = await until(async () => {
  const r = await call(client, 'get_qr_code')
  return r.ok ? r : undefined
}, 60_000, 'a QR')
const t0 = Date.now()
let lastChunk = 0
let firstChunk = 0
emu.on('history-chunk', () => {
  lastChunk = Date.now() - t0
  firstChunk ||= lastChunk
})
await emu.scanQr(qr.data.qr as string, { phone: '15550001111' })
await until(async () => ((await (await fetch(`${server.url}/api/status`)).json()) as { store: { messages: number } }).store.messages >= messages, 600_000, 'the sync in the store')
console.log(`${messages} messages in ${((Date.now() - t0) / 1000).toFixed(1)} s; the emulator sent the first chunk at ${(firstChunk / 1000).toFixed(1)} s and the last at ${(lastChunk / 1000).toFixed(1)} s`)
await client.close()
await server.stop()
await emu.close()

printProfiles(dir)

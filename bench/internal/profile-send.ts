// Where the time goes when an agent sends: the server under --cpu-prof, linked to the emulator, takes
// send_message calls (a message of its own each) from autocannon at c = 16; the emulator, in this process,
// decrypts every message for the phone. Prints the rate, then the busiest functions of each server thread
// and how the WhatsApp worker's samples split between ours, Baileys and its libraries.
// `node dist/bench/internal/profile-send.js [seconds]`; profiles land in bench/out/prof-send/.
import { mkdirSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { startEmulator } from '../../test/emulator/emulator.js'
import { startServerProcess } from '../../test/helpers/server-process.js'
import { linkViaMcp } from '../../test/helpers/link.js'
import { benchSend } from '../send.bench.js'
import { printProfiles, samplesByOwner } from './cpu-profile.js'

const seconds = Number(process.argv[2] ?? 10)
process.env.BENCH_DURATION ??= String(seconds)
const dir = fileURLToPath(new URL('../../../bench/out/prof-send/', import.meta.url))
rmSync(dir, { recursive: true, force: true })
mkdirSync(dir, { recursive: true })

const emu = await startEmulator()
emu.setHistory('15550001111', { chats: [] })
const server = await startServerProcess(emu, { NODE_ENV: 'production', BAILEYS_LOG_LEVEL: 'error', WA_SEND_DEDUP_WINDOW_MS: '0' }, undefined, ['--cpu-prof', `--cpu-prof-dir=${dir}`])
const client = await server.mcp()
await linkViaMcp(client, emu, '15550001111')
const friend = emu.person({ phone: '15550002222', name: 'Friend' })
// the emulator shares this process: how late its event loop runs says whether it kept up
const lag = monitorEventLoopDelay({ resolution: 10 })
lag.enable()
const r = await benchSend(server.url, friend)
lag.disable()
console.log(`send_message: ${Math.round(r.rps)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms; ${r.arrived} arrived for ${r.sent} counted; the emulator's event loop p99 ${(lag.percentile(99) / 1e6 - 10).toFixed(1)} ms late`)
await client.close()
await server.stop()
await emu.close()
printProfiles(dir, 15)
for (const f of readdirSync(dir).filter((x) => x.endsWith('.cpuprofile'))) {
  const o = samplesByOwner(join(dir, f))
  if (o.baileys > 0) console.log(`\n${f}, by owner:`, o)
}

// Our cost on the Baileys receive path: the server under --cpu-prof, linked to the emulator, receives live
// 1:1 messages from several people; the WhatsApp worker thread's samples are split between our code
// (normalising, batching, handing over), Baileys and its libraries (noise, Signal, protobuf), Node and GC.
// `node dist/bench/receive.bench.js [messages]`. Profiles land in bench/out/prof/.
import { mkdirSync, readdirSync, rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { startEmulator } from '../test/emulator/emulator.js'
import { startServerProcess, until } from '../test/helpers/server-process.js'
import { linkViaMcp } from '../test/helpers/link.js'
import { samplesByOwner, printProfiles } from './internal/cpu-profile.js'

export interface ReceiveFigures {
  messages: number
  seconds: number
  /** samples of the WhatsApp worker thread by owner */
  worker: Record<string, number>
  /** ours / (Baileys + its libraries) */
  ourShare: number
  /** where our share goes: the nearest project frame of each of its samples */
  ourFrames: Array<[string, number]>
}

export async function profileReceive(messages: number, print = false): Promise<ReceiveFigures> {
  const dir = fileURLToPath(new URL('../../bench/out/prof-receive/', import.meta.url))
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const emu = await startEmulator()
  emu.setMaxListeners(100)
  const people = Array.from({ length: 20 }, (_, i) => emu.person({ phone: `1555100${String(i).padStart(4, '0')}`, name: `Sender ${i}` }))
  emu.setHistory('15550001111', { chats: [] })
  const server = await startServerProcess(emu, { NODE_ENV: 'production', LOG_LEVEL: 'info', BAILEYS_LOG_LEVEL: 'error' }, undefined, ['--cpu-prof', `--cpu-prof-dir=${dir}`])
  const client = await server.mcp()
  await linkViaMcp(client, emu, '15550001111')
  const stored = async () => ((await (await fetch(`${server.url}/api/status`)).json()) as { store: { messages: number } }).store.messages
  const before = await stored()
  const t0 = Date.now()
  const each = Math.ceil(messages / people.length)
  await Promise.all(people.map(async (p, i) => {
    for (let n = 0; n < each; n++) await p.sendText('15550001111', `message ${n} from sender ${i}: the quick brown fox jumps over the lazy dog`)
  }))
  await until(async () => (await stored()) >= before + each * people.length, 300_000, 'every message stored')
  const seconds = (Date.now() - t0) / 1000
  await client.close()
  await server.stop()
  await emu.close()
  // the WhatsApp worker is the thread where Baileys ran
  let worker: Record<string, number> = {}
  let ourFrames = new Map<string, number>()
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.cpuprofile'))) {
    const frames = new Map<string, number>()
    const o = samplesByOwner(join(dir, f), frames)
    if (o.baileys > (worker.baileys ?? 0)) (worker = o), (ourFrames = frames)
  }
  if (print) printProfiles(dir, 15)
  const ourShare = (worker.ours ?? 0) / Math.max(1, (worker.baileys ?? 0) + (worker.libraries ?? 0))
  return { messages: each * people.length, seconds, worker, ourShare, ourFrames: [...ourFrames].sort((a, b) => b[1] - a[1]).slice(0, 8) }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await profileReceive(Number(process.argv[2] ?? 10_000), true)
  console.log(`\n${r.messages} messages received in ${r.seconds.toFixed(1)} s; WhatsApp worker samples by owner:`, r.worker)
  console.log(`our code / (Baileys + its libraries) = ${(r.ourShare * 100).toFixed(1)}%; ours by frame:`)
  for (const [f, n] of r.ourFrames) console.log(`  ${n}  ${f}`)
}

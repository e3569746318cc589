// Where the time goes when serving reads: a seeded store, the server under --cpu-prof, one tool hammered by
// autocannon, the top self-time functions of each thread printed.
// `node dist/bench/internal/profile-reads.js [tool] [seconds] [cold]`; tool is list_messages (default), list_chats,
// search_messages or ping; `cold` turns the result cache off. Profiles land in bench/out/prof/.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startServerProcess } from '../../test/helpers/server-process.js'
import { seedStore, RARE_WORD } from '../seed-store.js'
import { load, mcpSession, toolCall } from '../lib.js'
import { printProfiles } from './cpu-profile.js'

const tool = process.argv[2] ?? 'list_messages'
const seconds = Number(process.argv[3] ?? 8)
const cold = process.argv[4] === 'cold'
const dir = fileURLToPath(new URL('../../../bench/out/prof/', import.meta.url))
rmSync(dir, { recursive: true, force: true })
mkdirSync(dir, { recursive: true })

const data = mkdtempSync(join(tmpdir(), 'prof-reads-'))
const seed = seedStore(join(data, 'store.sqlite'), 1_000, 100_000, 2_000)
const server = await startServerProcess(undefined, { NODE_ENV: 'production', WA_WS_URL: 'ws://127.0.0.1:9/ws', ...(cold ? { MCP_CACHE_ENTRIES: '0' } : {}) }, data, ['--cpu-prof', `--cpu-prof-dir=${dir}`])
const url = `${server.url}/mcp`
const session = await mcpSession(url)
const args: Record<string, Record<string, unknown>> = {
  list_messages: { chat_id: seed.sampleChat, limit: 50 },
  list_chats: { limit: 20 },
  search_messages: { query: RARE_WORD, limit: 20 },
  ping: {}
}
const r = await load(url, toolCall(tool, args[tool] ?? {}), session, 16, seconds, 1)
console.log(`${tool}: ${Math.round(r.rps)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, errors ${r.non2xx + r.errors}`)
await server.stop()
rmSync(data, { recursive: true, force: true })
printProfiles(dir, 25)

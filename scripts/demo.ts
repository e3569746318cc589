// `npm run demo`: the server linked to the loopback WhatsApp emulator, with a seeded demo account, so a
// newcomer with no phone can open the admin page and call tools. Nothing here reaches WhatsApp.
import { join } from 'node:path'
import { mkdirSync } from 'node:fs'
import { startEmulator } from '../test/emulator/emulator.js'
import { startServerProcess, call, until } from '../test/helpers/server-process.js'

const ACCOUNT = '15550001111'
const dataDir = join(process.cwd(), 'data-demo')
mkdirSync(dataDir, { recursive: true })

const emu = await startEmulator()
const ada = emu.person({ phone: '447700900123', name: 'Ada Lovelace' })
const grace = emu.person({ phone: '15550002222', name: 'Grace Hopper' })
const alan = emu.person({ phone: '4915112345678', name: 'Alan Turing' })
const team = emu.createGroup('Analytical Engine fans', ada, [ACCOUNT, grace, alan])
const now = Math.floor(Date.now() / 1000)
emu.setHistory(ACCOUNT, {
  chats: [
    { jid: ada.phone, unread: 1, messages: [{ text: 'Did you read my notes on the engine?', ts: now - 7200 }, { text: 'Yes! Note G is brilliant.', fromMe: true, ts: now - 7000 }, { text: 'Shall we meet at the café on Friday?', ts: now - 600 }] },
    { jid: grace.phone, messages: [{ text: 'Found a moth in the relay 🦋', ts: now - 86_400 }, { text: 'Tape it into the log book', fromMe: true, ts: now - 86_000 }] },
    { jid: team.id, name: team.subject, messages: [{ from: alan.phone, text: 'Can machines think?', ts: now - 3600 }, { from: grace.phone, text: 'Only if we let them compile', ts: now - 3500 }] }
  ]
})

const port = process.env.PORT ?? '3003'
const server = await startServerProcess(emu, { PORT: port, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' }, dataDir)
const client = await server.mcp()
const status = await call(client, 'check_auth_status')
if (!status.data.linked) {
  const qr = await until(async () => {
    const r = await call(client, 'get_qr_code')
    return r.ok ? r : undefined
  }, 30_000, 'a QR code')
  await emu.scanQr(qr.data.qr as string, { phone: ACCOUNT, name: 'Demo Account' })
}
await until(async () => (await call(client, 'check_auth_status')).data.ready, 30_000, 'ready')
await client.close()

// a little life: Ada writes now and then
let n = 0
const lines = ['Are you there?', 'I have a new program for the engine', 'It computes Bernoulli numbers', 'See you Friday!']
const timer = setInterval(() => void ada.sendText(ACCOUNT, lines[n++ % lines.length]!).catch(() => undefined), 30_000)

console.log(`
  whatsapp-mcp-stream demo (WhatsApp is emulated on this machine; nothing reaches the real one)

  MCP endpoint   http://127.0.0.1:${server.port}/mcp      (Streamable HTTP, no token in the demo)
  Admin UI       http://127.0.0.1:${server.port}/admin
  Try            npx @modelcontextprotocol/inspector  ->  Streamable HTTP  ->  the MCP endpoint
                 tools: list_chats, search_messages {"query":"cafe"}, send_message {"recipient_jid":"+44 7700 900123","message":"hi"}

  Ctrl+C stops it. Data: ${dataDir}
`)

const stop = async (): Promise<void> => {
  clearInterval(timer)
  await server.stop()
  await emu.close()
  process.exit(0)
}
process.on('SIGINT', () => void stop())
process.on('SIGTERM', () => void stop())

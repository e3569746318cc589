// `npm run demo`: the server linked to the loopback WhatsApp emulator, with a seeded demo account, so a
// newcomer with no phone can open the admin page and call tools. Nothing here reaches WhatsApp.
import { join } from 'node:path'
import { mkdirSync } from 'node:fs'
import { startEmulator } from '../test/emulator/emulator.js'
import { seedDemo } from '../test/emulator/demo-seed.js'
import { startServerProcess, call, until } from '../test/helpers/server-process.js'

const ACCOUNT = '15550001111'
const dataDir = join(process.cwd(), 'data-demo')
mkdirSync(dataDir, { recursive: true })

const emu = await startEmulator()
await seedDemo(emu, ACCOUNT)
const ada = emu.person({ phone: '15552000000' })

const port = process.env.PORT ?? '3003'
const server = await startServerProcess(emu, { PORT: port, LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' }, dataDir)
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
                 tools: list_chats, search_messages {"query":"cafe"}, send_message {"recipient_jid":"+1 555 200 0000","message":"hi"}

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

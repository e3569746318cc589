// Standalone emulator: `node dist/test/emulator/cli.js [--port N] [--seed demo] [--root-seed HEX]`.
// Prints one JSON line with its URL and root key, so a server in another process can be pointed at it:
// WA_WS_URL=<url> WA_TRUST_ROOT_KEY=<rootKey> NODE_EXTRA_CA_CERTS=test/fixtures/emulator-tls/cert.pem
import { startEmulator } from './emulator.js'
import { seedDemo } from './demo-seed.js'

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : undefined
}

const emu = await startEmulator({ port: Number(arg('port') ?? 0), ...(arg('root-seed') ? { rootSeed: Buffer.from(arg('root-seed')!, 'hex') } : {}) })
const account = arg('account') ?? '15550001111'
if (arg('seed') === 'demo') await seedDemo(emu, account)
emu.on('paired', (p: { jid: string }) => process.stdout.write(`${JSON.stringify({ event: 'paired', jid: p.jid })}\n`))
process.stdout.write(`${JSON.stringify({ url: emu.url, rootKey: emu.rootPublicKeyBase64, mediaHost: emu.media.hostPort, account })}\n`)

// the phone scans what it is given on stdin: one QR string per line
process.stdin.setEncoding('utf8')
let buf = ''
process.stdin.on('data', (d: string) => {
  buf += d
  let nl: number
  while ((nl = buf.indexOf('\n')) >= 0) {
    const line = buf.slice(0, nl).trim()
    buf = buf.slice(nl + 1)
    if (line) void emu.scanQr(line, { phone: account }).catch((err: Error) => process.stdout.write(`${JSON.stringify({ event: 'scan-failed', error: err.message })}\n`))
  }
})
const stop = async () => {
  await emu.close()
  process.exit(0)
}
process.on('SIGTERM', () => void stop())
process.on('SIGINT', () => void stop())

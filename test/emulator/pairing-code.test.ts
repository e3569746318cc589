// Linking by phone-number code instead of a QR: the client asks for a code, the phone types it.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import makeWASocket, { useMultiFileAuthState, Browsers, type WASocket } from '@whiskeysockets/baileys'
import { startEmulator, type Emulator } from './emulator.js'
import { trustEmulator } from '../helpers/baileys-client.js'

let emu: Emulator
let sock: WASocket | undefined
after(async () => {
  sock?.end(undefined)
  await emu?.close()
})

test('a pairing code typed on the phone links the client, which then logs in', async () => {
  emu = await startEmulator()
  trustEmulator(emu)
  const phone = '15550007777'
  const { state, saveCreds } = await useMultiFileAuthState(mkdtempSync(join(tmpdir(), 'code-auth-')))
  let asked = false
  const opened = new Promise<void>((resolve, reject) => {
    const connect = () => {
      sock = makeWASocket({ auth: state, waWebSocketUrl: emu.url, logger: pino({ level: 'silent' }), browser: Browsers.ubuntu('Chrome'), markOnlineOnConnect: false })
      sock.ev.on('creds.update', saveCreds)
      sock.ev.on('connection.update', (u) => {
        if (u.qr && !asked) {
          asked = true
          void sock!.requestPairingCode(phone).then((code) => emu.enterPairingCode(code, { phone })).catch(reject)
        }
        if (u.connection === 'open') resolve()
        if (u.connection === 'close') {
          const code = (u.lastDisconnect?.error as { output?: { statusCode?: number } } | undefined)?.output?.statusCode
          if (code === 515) connect()
          else reject(u.lastDisconnect?.error)
        }
      })
    }
    connect()
  })
  await opened
  assert.ok(sock!.user?.id.startsWith(`${phone}:`))
  await assert.rejects(emu.enterPairingCode('ABCDEFGH', { phone: '15550008888' }), /no client asked/)
})

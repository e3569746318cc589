// App-state corruption as Baileys itself reports it (the missing-key signal the product recovers from),
// and a root key that a seed makes predictable.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import pino from 'pino'
import { startEmulator, type Emulator } from './emulator.js'
import { keyPairFromSeed } from './noise.js'
import { linkClient, type LinkedClient } from '../helpers/baileys-client.js'

const ACCOUNT = '15550001111'
const emus: Emulator[] = []
const clients: LinkedClient[] = []
after(async () => {
  for (const c of clients) c.end()
  for (const e of emus) await e.close()
})

/** a Baileys logger that keeps every line, to see what it says about app-state */
function capture(): { logger: pino.Logger; lines: string[] } {
  const lines: string[] = []
  const logger = pino({ level: 'trace' }, { write: (l: string) => void lines.push(l) })
  return { logger, lines }
}

for (const mode of ['missing-key'] as const) {
  test(`app-state fault "${mode}": Baileys reports the collection it cannot sync`, async () => {
    const emu = await startEmulator()
    emus.push(emu)
    const { logger, lines } = capture()
    const client = await linkClient(emu, ACCOUNT, { logger })
    clients.push(client)
    // wait for the key share and the first sync to settle, then break the next one
    await new Promise((r) => setTimeout(r, 500))
    const from = lines.length
    emu.appStateFault(ACCOUNT, 4, ['regular'])
    emu.serverSync(ACCOUNT, ['regular'])
    const pattern = /blocked on missing key|failed to find key/
    for (let i = 0; i < 100 && !lines.slice(from).some((l) => pattern.test(l)); i++) await new Promise((r) => setTimeout(r, 100))
    assert.ok(lines.slice(from).some((l) => pattern.test(l)), `expected ${pattern} in Baileys' log`)
  })
}

test('the same root seed gives the same root key, so a child process can trust it in advance', async () => {
  const seed = Buffer.alloc(32, 7)
  assert.deepEqual(keyPairFromSeed(seed).public, keyPairFromSeed(seed).public)
  const emu = await startEmulator({ rootSeed: seed })
  emus.push(emu)
  assert.equal(emu.rootPublicKeyBase64, keyPairFromSeed(seed).public.toString('base64'))
  assert.equal(Buffer.from(emu.rootPublicKeyBase64, 'base64').length, 32)
})

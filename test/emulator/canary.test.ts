// If these fail, the WhatsApp protocol surface changed (a new Baileys, or a broken emulator): handshake,
// pairing, login, send and receive, first with Baileys as it is, then with its signature check made strict.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import libsignal from 'libsignal'
import { Curve } from '@whiskeysockets/baileys'
import { startEmulator, type Emulator } from './emulator.js'
import { linkClient, type LinkedClient } from '../helpers/baileys-client.js'

const emus: Emulator[] = []
const clients: LinkedClient[] = []
after(async () => {
  for (const c of clients) c.end()
  for (const e of emus) await e.close()
})

async function roundTrip(phone: string): Promise<void> {
  const emu = await startEmulator()
  emus.push(emu)
  const peer = emu.person({ phone: '15550002222', name: 'Peer' })
  const client = await linkClient(emu, phone)
  clients.push(client)
  const inbound = await peer.sendText(phone, 'canary in')
  await client.waitFor('messages.upsert', (d) => d.messages.some((m) => m.key.id === inbound.id && m.message?.conversation === 'canary in'))
  const out = await client.sock.sendMessage(peer.jid, { text: 'canary out' })
  const seen = await peer.waitFor((m) => m.id === out!.key.id)
  assert.equal(seen.message.conversation ?? seen.message.extendedTextMessage?.text, 'canary out')
}

test('canary: the WhatsApp protocol surface changed if this fails (handshake, pair, login, send, receive)', async () => {
  await roundTrip('15550001111')
})

test('canary with a strict signature check: the emulator signs everything a fixed Baileys would verify', async () => {
  // rc14's Curve.verify returns true for any well-formed input; this is what a fixed one does
  const loose = Curve.verify
  let checked = 0
  Curve.verify = (pub: Uint8Array, msg: Uint8Array, sig: Uint8Array) => {
    checked++
    try {
      return libsignal.curve.verifySignature(pub.length === 33 ? Buffer.from(pub) : Buffer.concat([Buffer.from([5]), pub]), Buffer.from(msg), Buffer.from(sig)) === true
    } catch {
      return false
    }
  }
  try {
    await roundTrip('15550004444')
    assert.ok(checked > 0, 'the strict check ran')
  } finally {
    Curve.verify = loose
  }
})

// An emulated person's libsignal closing a session prints the session record, keys included: a process that
// runs emulated people prints none of it, and still prints everything else.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { SignalIdentity } from './signal-identity.js'

const US = { user: 'us', device: 0 }
const PEER = { user: 'peer', device: 0 }

async function printed(run: () => Promise<void>): Promise<string> {
  const out: string[] = []
  const saved = { out: process.stdout.write, err: process.stderr.write }
  const keep = (chunk: unknown): boolean => (out.push(String(chunk)), true)
  process.stdout.write = keep as typeof process.stdout.write
  process.stderr.write = keep as typeof process.stderr.write
  try {
    await run()
  } finally {
    process.stdout.write = saved.out
    process.stderr.write = saved.err
  }
  return out.join('')
}

test("a session closed for a new prekey bundle prints none of libsignal's lines; other lines still print", async () => {
  const us = new SignalIdentity()
  const peer = new SignalIdentity()
  const out = await printed(async () => {
    const first = await peer.encryptFor(US, () => us.takeBundle(), Buffer.from('hello'))
    assert.equal((await us.decryptFrom(PEER, first.type, first.ciphertext)).toString(), 'hello')
    // the peer forgets its session and starts another: we close ours for the new bundle, which libsignal prints
    await peer.dropSession(US)
    const again = await peer.encryptFor(US, () => us.takeBundle(), Buffer.from('again'))
    assert.equal((await us.decryptFrom(PEER, again.type, again.ciphertext)).toString(), 'again')
    console.info('a line of our own')
  })
  assert.ok(!/Closing|privKey|<Buffer/.test(out), out)
  assert.match(out, /a line of our own/)
})

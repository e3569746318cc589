// A failed attempt to decrypt with one of a contact's sessions must leave that session as it was. The case
// that broke sessions after restarts: we build a new session from the contact's bundle (Baileys does on its
// first send after a start) while the contact still writes on the older one; decrypting that message must
// not ratchet the new session, or everything we send on it is "Bad MAC" to the contact.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import libsignal from 'libsignal'
import { SignalIdentity, type PreKeyBundle } from '../../emulator/signal-identity.js'

const withPrefix = (k: Buffer): Buffer => (k.length === 33 ? k : Buffer.concat([Buffer.from([5]), k]))
const device = (b: PreKeyBundle) => ({
  registrationId: b.registrationId,
  identityKey: withPrefix(b.identity),
  signedPreKey: { keyId: b.skey.keyId, publicKey: withPrefix(b.skey.value), signature: b.skey.signature },
  preKey: b.preKey ? { keyId: b.preKey.keyId, publicKey: withPrefix(b.preKey.value) } : undefined
})
const US = { user: 'us', device: 0 }
const PEER = { user: 'peer', device: 0 }
const text = (s: string) => Buffer.from(s)

test('decrypting a message meant for an older session leaves the newest session able to send', async () => {
  const us = new SignalIdentity()
  const peer = new SignalIdentity()
  // the peer starts the conversation, we answer, the peer answers on a new ratchet step
  const first = await peer.encryptFor(US, () => us.takeBundle(), text('hello'))
  assert.equal((await us.decryptFrom(PEER, first.type, first.ciphertext)).toString(), 'hello')
  const answer = await us.encryptFor(PEER, undefined, text('hi'))
  assert.equal((await peer.decryptFrom(US, answer.type, answer.ciphertext)).toString(), 'hi')

  // we build a fresh session from the peer's bundle, as Baileys does after a start; the peer has not seen it
  await new libsignal.SessionBuilder(us.store, new libsignal.ProtocolAddress(PEER.user, PEER.device)).initOutgoing(device(peer.takeBundle()))
  const openSession = () => JSON.stringify((libsignal.SessionRecord.deserialize(us.store.sessions.get('peer.0')) as { getOpenSession(): { serialize(): unknown } }).getOpenSession().serialize())
  const before = openSession()

  // the peer writes on the older session: tried on the new one first, decrypted by the older one
  const late = await peer.encryptFor(US, undefined, text('still on the old session'))
  assert.equal(late.type, 'msg')
  assert.equal((await us.decryptFrom(PEER, late.type, late.ciphertext)).toString(), 'still on the old session')
  assert.equal(openSession(), before, 'the new session is untouched by the attempt that failed')

  // what we send on the new session decrypts at the peer, and the peer's answer on it decrypts here
  const fresh = await us.encryptFor(PEER, undefined, text('on the new session'))
  assert.equal(fresh.type, 'pkmsg')
  assert.equal((await peer.decryptFrom(US, fresh.type, fresh.ciphertext)).toString(), 'on the new session')
  const back = await peer.encryptFor(US, undefined, text('got it'))
  assert.equal((await us.decryptFrom(PEER, back.type, back.ciphertext)).toString(), 'got it')
})

test('a message no session can decrypt fails with a SessionError and changes no session', async () => {
  const us = new SignalIdentity()
  const peer = new SignalIdentity()
  const first = await peer.encryptFor(US, () => us.takeBundle(), text('hello'))
  await us.decryptFrom(PEER, first.type, first.ciphertext)
  const stored = JSON.stringify(us.store.sessions.get('peer.0'))
  // a whisper message of two other parties' conversation, arriving under the peer's address
  const a = new SignalIdentity()
  const b = new SignalIdentity()
  const hello = await a.encryptFor(US, () => b.takeBundle(), text('hello'))
  await b.decryptFrom(PEER, hello.type, hello.ciphertext)
  const foreign = await b.encryptFor(PEER, undefined, text('not for this session'))
  assert.equal(foreign.type, 'msg')
  await assert.rejects(us.decryptFrom(PEER, foreign.type, foreign.ciphertext), (e: Error) => e.name === 'SessionError')
  assert.equal(JSON.stringify(us.store.sessions.get('peer.0')), stored)
})

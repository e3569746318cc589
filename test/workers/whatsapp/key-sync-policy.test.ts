// Which key updates may wait for the sync: only a lone update of a known session or sender key that leaves
// what peers depend on as it was.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mayWait, peerState, senderKeyStates, sendingProgress, soleKey } from '../../../workers/whatsapp/key-sync-policy.js'
import { senderKeyRecord } from '../../helpers/signal-records.js'

const chain = (counter: number, chainType: number) => ({ chainKey: { counter, key: 'k' }, chainType, messageKeys: {} })
const session = (chains: Record<string, ReturnType<typeof chain>>, more: Record<string, unknown> = {}) => ({ _sessions: { base: { registrationId: 1, _chains: chains }, ...more }, version: 'v1' })

test('receiving chains and a sending chain that never encrypted leave the progress as it was; a used sending chain moving does not', () => {
  const start = sendingProgress(session({ theirs: chain(0, 2), ours: chain(-1, 1) }))
  assert.equal(start, '')
  assert.ok(mayWait(start, sendingProgress(session({ theirs: chain(9, 2), ours: chain(-1, 1) }))))
  const sent = sendingProgress(session({ theirs: chain(9, 2), ours: chain(0, 1) }))
  assert.ok(!mayWait(start, sent), 'the first message on a sending chain')
  assert.ok(mayWait(sent, sendingProgress(session({ theirs: chain(12, 2), ours: chain(0, 1) }))))
  assert.ok(!mayWait(sent, sendingProgress(session({ theirs: chain(12, 2), ours: chain(1, 1) }))), 'the next one')
  // a ratchet step on receipt drops the used sending chain for a fresh one
  assert.ok(!mayWait(sent, sendingProgress(session({ theirs: chain(12, 2), next: chain(0, 2), fresh: chain(-1, 1) }))))
  // an older session of the same contact, still holding a used sending chain, counts as well
  assert.ok(!mayWait(sent, sendingProgress(session({ theirs: chain(12, 2), ours: chain(0, 1) }, { old: { _chains: { o: chain(3, 1) } } }))))
})

test('an unknown session, or a value not shaped like a libsignal session, never waits', () => {
  assert.ok(!mayWait(undefined, ''))
  assert.equal(sendingProgress({ registrationId: 1 }), undefined)
  assert.equal(sendingProgress(null), undefined)
  assert.equal(sendingProgress({ _sessions: { b: { _chains: { c: { chainType: 1 } } } } }), undefined)
  assert.ok(!mayWait('', sendingProgress({ _sessions: { b: {} } })))
})

test("a group sender's key may wait while its chain only moves forward; a new state, or our own key, never", () => {
  const one = senderKeyStates(senderKeyRecord([[7, 0]]))
  assert.ok(mayWait(one, senderKeyStates(senderKeyRecord([[7, 40]]))))
  assert.ok(!mayWait(one, senderKeyStates(senderKeyRecord([[7, 40], [8, 0]]))), 'a distribution message added a state')
  assert.equal(senderKeyStates(senderKeyRecord([[7, 3]], true)), undefined, 'ours signs what we send')
  assert.equal(senderKeyStates(Buffer.from('not json')), undefined)
  assert.equal(senderKeyStates(Buffer.from('[{"senderChainKey":{}}]')), undefined)
  assert.equal(senderKeyStates(Buffer.from('[{"senderKeyId":1,"senderSigningKey":{"private":{"0":1}}}]')), undefined, 'bytes not certainly empty count as ours')
  assert.equal(senderKeyStates({ senderKeyId: 1 }), undefined)
  assert.equal(peerState('pre-key', { public: Buffer.alloc(1) }), undefined, 'other types never wait')
  assert.equal(peerState('sender-key', senderKeyRecord([[1, 0]])), '1;')
})

test('only a set of exactly one key with a value may wait', () => {
  const v = session({})
  assert.deepEqual(soleKey({ session: { a: v } }), ['session', 'a', v])
  assert.deepEqual(soleKey({ session: { a: v }, 'pre-key': undefined }), ['session', 'a', v])
  assert.equal(soleKey({ session: { a: null } }), undefined, 'a delete')
  assert.equal(soleKey({ session: { a: v, b: v } }), undefined, 'two sessions')
  assert.equal(soleKey({ session: { a: v }, 'device-list': { me: ['0'] } }), undefined, 'with another key')
  assert.equal(soleKey({}), undefined)
})

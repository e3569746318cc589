// Standard Webhooks signatures: the spec's example vector, secrets in both forms, and what must not verify.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { generateSecret, secretKey, signDelivery, verifyDelivery } from '../../src/webhooks/signature.js'

test('the signature is the Standard Webhooks one (its published example vector)', () => {
  const key = secretKey('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')
  const body = '{"test": 2432232314}'
  const h = signDelivery(key, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, body)
  assert.equal(h['webhook-signature'], 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=')
})

test('verification needs the same key, id, timestamp and body, and a fresh timestamp; several signatures may be listed', () => {
  const secret = generateSecret()
  assert.match(secret, /^whsec_[A-Za-z0-9+/]{32}$/)
  const key = secretKey(secret)
  const now = 1_800_000_000
  const h = signDelivery(key, '42', now, '{"a":1}')
  const hv = { id: h['webhook-id'], timestamp: h['webhook-timestamp'], signature: h['webhook-signature'] }
  assert.equal(verifyDelivery(key, hv, '{"a":1}', now), true)
  assert.equal(verifyDelivery(key, { ...hv, signature: `v1,AAAA ${hv.signature}` }, '{"a":1}', now), true, 'one of several')
  assert.equal(verifyDelivery(secretKey('a different secret, long enough'), hv, '{"a":1}', now), false)
  assert.equal(verifyDelivery(key, hv, '{"a":2}', now), false)
  assert.equal(verifyDelivery(key, { ...hv, id: '43' }, '{"a":1}', now), false)
  assert.equal(verifyDelivery(key, hv, '{"a":1}', now + 301), false, 'a replay after five minutes')
  assert.equal(verifyDelivery(key, { ...hv, signature: hv.signature.replace('v1,', 'v2,') }, '{"a":1}', now), false)
  // a plain secret is its UTF-8 bytes
  assert.deepEqual(secretKey('plain secret text'), Buffer.from('plain secret text'))
})

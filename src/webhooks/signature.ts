// Signing of webhook deliveries, after the Standard Webhooks specification (standardwebhooks.com), so a
// receiver can verify with any of its libraries or with the few lines in the README:
//   webhook-id: the event id, the same on every attempt (a receiver dedupes on it)
//   webhook-timestamp: seconds since the epoch of this attempt (a receiver refuses old ones: replays)
//   webhook-signature: "v1," + base64(HMAC-SHA256(key, `${id}.${timestamp}.${body}`))
// The key is the secret's bytes: for a "whsec_" secret the base64 after the prefix (the spec's form, and
// what the server generates), for any other string its UTF-8 bytes.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

export const SECRET_PREFIX = 'whsec_'
/** shortest secret accepted: below this an HMAC key is guessable */
export const SECRET_MIN_BYTES = 16

/** a new secret in the spec's form: whsec_ and 24 random bytes in base64 */
export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(24).toString('base64')
}

/** the HMAC key a secret stands for */
export function secretKey(secret: string): Buffer {
  return secret.startsWith(SECRET_PREFIX) ? Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64') : Buffer.from(secret, 'utf8')
}

/** the three headers of one attempt; `timestamp` in seconds */
export function signDelivery(key: Buffer, id: string, timestamp: number, body: string): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  const mac = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': `v1,${mac}` }
}

/**
 * What a receiver does, here for the tests and as the README's reference: true when one of the
 * space-separated `v1,` signatures matches and the timestamp is within `toleranceS` of `nowS`.
 */
export function verifyDelivery(key: Buffer, headers: { id: string; timestamp: string; signature: string }, body: string, nowS = Math.floor(Date.now() / 1000), toleranceS = 300): boolean {
  const ts = Number(headers.timestamp)
  if (!Number.isInteger(ts) || Math.abs(nowS - ts) > toleranceS) return false
  const want = createHmac('sha256', key).update(`${headers.id}.${ts}.${body}`).digest()
  return headers.signature.split(' ').some((part) => {
    const [version, b64] = part.split(',', 2)
    if (version !== 'v1' || !b64) return false
    const got = Buffer.from(b64, 'base64')
    return got.length === want.length && timingSafeEqual(got, want)
  })
}

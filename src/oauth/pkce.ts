// PKCE (RFC 7636), S256 only: OAuth 2.1 drops `plain`, and a client that cannot hash is not one we serve.
import { createHash, timingSafeEqual } from 'node:crypto'

/** a verifier: 43 to 128 characters of the unreserved set (RFC 7636 §4.1) */
export const isCodeVerifier = (v: string): boolean => /^[A-Za-z0-9._~-]{43,128}$/.test(v)
/** an S256 challenge: base64url of a SHA-256 digest, 43 characters without padding */
export const isCodeChallenge = (v: string): boolean => /^[A-Za-z0-9_-]{43}$/.test(v)

/** true when `verifier` hashes to `challenge`; compared in constant time */
export function verifierMatches(verifier: string, challenge: string): boolean {
  if (!isCodeVerifier(verifier) || !isCodeChallenge(challenge)) return false
  const got = createHash('sha256').update(verifier, 'ascii').digest()
  const want = Buffer.from(challenge, 'base64url')
  return want.length === got.length && timingSafeEqual(got, want)
}

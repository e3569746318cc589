// Bearer-token checks in constant time. Tokens are compared as SHA-256 digests so length leaks nothing.
import { createHash, timingSafeEqual } from 'node:crypto'

const digest = (s: string): Buffer => createHash('sha256').update(s).digest()

export class TokenGuard {
  private readonly digests: Buffer[]

  constructor(tokens: readonly string[], private readonly realm: string) {
    this.digests = tokens.filter(Boolean).map(digest)
  }

  get enabled(): boolean {
    return this.digests.length > 0
  }

  /** true when no tokens are configured or the header carries one of them (a cookie never carries a token) */
  allows(authorization: string | undefined): boolean {
    if (!this.enabled) return true
    const m = /^Bearer\s+(.+)$/i.exec(authorization ?? '')
    const given = m?.[1]?.trim()
    if (!given) return false
    const d = digest(given)
    let ok = false
    for (const t of this.digests) ok = timingSafeEqual(d, t) || ok
    return ok
  }
}

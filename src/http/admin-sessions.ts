// Admin sign-in sessions: the cookie carries a random session id, never the admin token. Only the id's
// SHA-256 is kept, in memory, with its expiry, so neither a heap dump nor a log line can replay a session,
// and a restart signs everybody out (the token signs in again).
import { createHash, randomBytes } from 'node:crypto'

/** live sessions at once; past it the oldest goes (bounded memory against sign-in loops) */
export const MAX_ADMIN_SESSIONS = 100
/** the id's entropy: 256 bits, base64url in the cookie */
const ID_BYTES = 32

const hash = (id: string): string => createHash('sha256').update(id).digest('base64url')

export class AdminSessions {
  /** id hash -> expiry (ms), in order of creation */
  private readonly live = new Map<string, number>()

  constructor(readonly ttlMs: number, private readonly now: () => number = Date.now) {}

  get size(): number {
    return this.live.size
  }

  /** a new session; returns the id for the cookie (the only place it ever exists in clear) */
  create(): string {
    const id = randomBytes(ID_BYTES).toString('base64url')
    this.sweep()
    if (this.live.size >= MAX_ADMIN_SESSIONS) this.live.delete(this.live.keys().next().value!)
    this.live.set(hash(id), this.now() + this.ttlMs)
    return id
  }

  /** true for an id this process issued that has not expired nor been signed out */
  valid(id: string | undefined): boolean {
    // ids are fixed-length base64url: anything else is no session, without hashing it
    if (!id || id.length !== 43 || !/^[A-Za-z0-9_-]+$/.test(id)) return false
    const h = hash(id)
    const exp = this.live.get(h)
    if (exp === undefined) return false
    if (exp <= this.now()) {
      this.live.delete(h)
      return false
    }
    return true
  }

  /** sign-out: the id is no longer valid, whatever it was */
  revoke(id: string | undefined): void {
    if (id) this.live.delete(hash(id))
  }

  private sweep(): void {
    const now = this.now()
    for (const [h, exp] of this.live) if (exp <= now) this.live.delete(h)
  }
}

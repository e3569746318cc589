// MCP sessions by Mcp-Session-Id, with an idle TTL, a cap on their number and a byte budget for all of them
// together (the least recently used idle session goes first), so memory stays bounded under session churn
// and under clients that send large clientInfo or capabilities.
import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import { McpSession } from './session.js'
import { AppError } from '../errors/app-error.js'
import type { Principal } from '../access/principal.js'

export interface SessionOptions {
  ttlMs: number
  max: number
  /** what all sessions together may hold, as counted by client-limits' checkClientData */
  maxBytes: number
}

export class SessionRegistry {
  private readonly sessions = new Map<string, McpSession>()
  /** the session the map holds last: one that asks again (a client's run of calls) stays where it is */
  private newest: McpSession | undefined
  private readonly sweeper: NodeJS.Timeout
  created = 0
  expired = 0
  evicted = 0
  /** the sum of the live sessions' costs */
  bytes = 0

  constructor(private readonly opts: SessionOptions, private readonly log: Logger) {
    this.sweeper = setInterval(() => this.sweep(), Math.min(30_000, Math.max(200, opts.ttlMs / 4)))
    this.sweeper.unref()
  }

  get size(): number {
    return this.sessions.size
  }

  get(id: string): McpSession | undefined {
    const s = this.sessions.get(id)
    if (s) {
      s.lastSeen = Date.now()
      // Map order is insertion order: re-inserting keeps the least recently used first (a delete and a set
      // on every call of the same session were 2% of a ping's time, and left the table holes to rehash)
      if (s !== this.newest) {
        this.sessions.delete(id)
        this.sessions.set(id, (this.newest = s))
      }
    }
    return s
  }

  /**
   * A new session costing `bytes`. Past the count cap or the byte budget the least recently used idle
   * sessions go; when only busy ones are left, throws MCP_TOO_MANY_SESSIONS (retryable) instead of growing.
   */
  create(protocolVersion: string, clientInfo: unknown, capabilities: Record<string, unknown>, bytes = 0, principal?: Principal): McpSession {
    while (this.sessions.size >= this.opts.max || (this.sessions.size > 0 && this.bytes + bytes > this.opts.maxBytes)) {
      if (!this.evictOne()) throw new AppError('MCP_TOO_MANY_SESSIONS', 'Every session is busy and the session cap or memory budget is reached; retry shortly.')
    }
    const s = new McpSession(randomUUID(), protocolVersion, clientInfo, capabilities, bytes)
    if (principal) s.principal = principal
    this.sessions.set(s.id, (this.newest = s))
    this.bytes += bytes
    this.created++
    return s
  }

  delete(id: string): boolean {
    const s = this.sessions.get(id)
    if (!s) return false
    this.sessions.delete(id)
    // a closed session is not kept alive by this reference
    if (s === this.newest) this.newest = undefined
    this.bytes -= s.bytes
    s.close()
    return true
  }

  private evictOne(): boolean {
    for (const s of this.sessions.values()) {
      if (s.busy) continue
      this.evicted++
      this.log.debug({ session: s.id }, 'mcp session evicted (cap or budget reached)')
      this.delete(s.id)
      return true
    }
    return false
  }

  private sweep(): void {
    const now = Date.now()
    const cutoff = now - this.opts.ttlMs
    // what a stream said is replayable a short while only; idle sessions give it back here
    for (const s of this.sessions.values()) s.replay?.prune(now)
    for (const s of this.sessions.values()) {
      // the map is in LRU order: the first recent one ends the sweep
      if (s.lastSeen >= cutoff) break
      if (s.busy) continue
      this.expired++
      this.delete(s.id)
    }
  }

  /** for notifications that concern every session (e.g. a resource update) */
  all(): IterableIterator<McpSession> {
    return this.sessions.values()
  }

  closeAll(): void {
    clearInterval(this.sweeper)
    for (const id of [...this.sessions.keys()]) this.delete(id)
  }
}

// MCP sessions by Mcp-Session-Id, with an idle TTL and a cap (least recently used idle session evicted
// first), so memory stays bounded under session churn.
import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import { McpSession } from './session.js'

export interface SessionOptions {
  ttlMs: number
  max: number
}

export class SessionRegistry {
  private readonly sessions = new Map<string, McpSession>()
  private readonly sweeper: NodeJS.Timeout
  created = 0
  expired = 0
  evicted = 0

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
      // Map order is insertion order: re-inserting keeps the least recently used first
      this.sessions.delete(id)
      this.sessions.set(id, s)
    }
    return s
  }

  create(protocolVersion: string, clientInfo: unknown, capabilities: Record<string, unknown>): McpSession {
    if (this.sessions.size >= this.opts.max) this.evictOne()
    const s = new McpSession(randomUUID(), protocolVersion, clientInfo, capabilities)
    this.sessions.set(s.id, s)
    this.created++
    return s
  }

  delete(id: string): boolean {
    const s = this.sessions.get(id)
    if (!s) return false
    this.sessions.delete(id)
    s.close()
    return true
  }

  private evictOne(): void {
    for (const s of this.sessions.values()) {
      if (s.busy) continue
      this.evicted++
      this.log.debug({ session: s.id }, 'mcp session evicted (cap reached)')
      this.delete(s.id)
      return
    }
  }

  private sweep(): void {
    const cutoff = Date.now() - this.opts.ttlMs
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

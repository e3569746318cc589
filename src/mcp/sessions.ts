// MCP sessions: one SDK transport + server per Mcp-Session-Id, an idle TTL and a cap, so memory stays
// bounded under session churn. The SDK transport does the spec's per-request work (Accept, protocol
// version, JSON vs SSE replies, the GET stream, DELETE); this file decides which session a request is for.
import { randomUUID } from 'node:crypto'
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { Logger } from 'pino'

export interface Session {
  id: string
  transport: WebStandardStreamableHTTPServerTransport
  server: McpServer
  createdAt: number
  lastSeen: number
  /** requests (or open GET streams) in flight: a busy session is never evicted */
  busy: number
}

export interface SessionOptions {
  ttlMs: number
  max: number
  enableJsonResponse: boolean
}

export class SessionRegistry {
  private readonly sessions = new Map<string, Session>()
  private sweeper: NodeJS.Timeout
  created = 0
  expired = 0
  evicted = 0

  constructor(private readonly opts: SessionOptions, private readonly makeServer: () => McpServer, private readonly log: Logger) {
    this.sweeper = setInterval(() => this.sweep(), Math.min(60_000, Math.max(250, opts.ttlMs / 4)))
    this.sweeper.unref()
  }

  get size(): number {
    return this.sessions.size
  }

  get(id: string): Session | undefined {
    const s = this.sessions.get(id)
    if (s) {
      s.lastSeen = Date.now()
      // keep the map in LRU order: the first entry is the least recently used
      this.sessions.delete(id)
      this.sessions.set(id, s)
    }
    return s
  }

  /** a transport for an `initialize` request; it registers itself once the SDK has assigned the id */
  async create(): Promise<Session> {
    if (this.sessions.size >= this.opts.max) this.evictOne()
    const server = this.makeServer()
    let session!: Session
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      enableJsonResponse: this.opts.enableJsonResponse,
      onsessioninitialized: (id) => {
        session.id = id
        this.sessions.set(id, session)
        this.created++
      },
      onsessionclosed: (id) => {
        this.sessions.delete(id)
      }
    })
    session = { id: '', transport, server, createdAt: Date.now(), lastSeen: Date.now(), busy: 0 }
    await server.connect(transport)
    return session
  }

  private evictOne(): void {
    for (const s of this.sessions.values()) {
      if (s.busy > 0) continue
      this.evicted++
      void this.close(s, 'evicted')
      return
    }
  }

  async close(s: Session, why: string): Promise<void> {
    this.sessions.delete(s.id)
    this.log.debug({ session: s.id, why }, 'mcp session closed')
    try {
      await s.server.close()
    } catch {
      // already closed
    }
  }

  private sweep(): void {
    const cutoff = Date.now() - this.opts.ttlMs
    for (const s of [...this.sessions.values()]) {
      if (s.lastSeen < cutoff && s.busy === 0) {
        this.expired++
        void this.close(s, 'idle')
      }
    }
  }

  async closeAll(): Promise<void> {
    clearInterval(this.sweeper)
    await Promise.all([...this.sessions.values()].map((s) => this.close(s, 'shutdown')))
  }
}

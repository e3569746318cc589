// Main-thread side of the single writer: batches from the WhatsApp worker queue up here and go to the pool
// in order, coalesced while a write is in flight. A failed write is retried: batches are idempotent.
import type { Pool } from '../pool/pool.js'
import type { StoreBatch } from './batch.js'
import type { ApplyResult } from './apply-batch.js'
import type { Logger } from 'pino'

export class WriteQueue {
  private queue: StoreBatch[] = []
  private running: Promise<void> | null = null
  private idleWaiters: Array<() => void> = []
  written = 0
  failures = 0

  constructor(
    private readonly pool: Pool,
    private readonly dbPath: string,
    private readonly log: Logger,
    private readonly onWritten?: (r: ApplyResult, batches: StoreBatch[]) => void,
    private readonly maxPerTask = 64
  ) {}

  get pending(): number {
    return this.queue.length
  }

  push(batch: StoreBatch): void {
    this.queue.push(batch)
    if (!this.running) this.running = this.drain()
  }

  /** resolves once everything pushed so far is on disk */
  idle(): Promise<void> {
    if (!this.running && this.queue.length === 0) return Promise.resolve()
    return new Promise((r) => this.idleWaiters.push(r))
  }

  private async drain(): Promise<void> {
    let delay = 50
    while (this.queue.length) {
      const batches = this.queue.slice(0, this.maxPerTask)
      try {
        const r = await this.pool.run<ApplyResult>('storeWrite', { dbPath: this.dbPath, batches })
        this.queue.splice(0, batches.length)
        this.written += batches.length
        delay = 50
        this.onWritten?.(r, batches)
      } catch (err) {
        this.failures++
        this.log.error({ err, batches: batches.length }, 'store write failed; retrying')
        await new Promise((r) => setTimeout(r, delay))
        delay = Math.min(delay * 2, 5000)
      }
    }
    this.running = null
    for (const w of this.idleWaiters.splice(0)) w()
  }
}

// Main-thread side of the single writer: batches from the WhatsApp worker queue up here and go to the pool
// in order, coalesced while a write is in flight. A failed write is retried: batches are idempotent.
import type { Pool } from '../pool/pool.js'
import type { StoreBatch } from './batch.js'
import { decodeBatch, encodeBatch, type BatchSummary, type EncodedBatch } from './batch-codec.js'
import type { ApplyResult } from './apply-batch.js'
import { CommitTracker } from './commit-tracker.js'
import type { EventRetention } from './event-log.js'
import type { Logger } from 'pino'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

export interface WriteQueueOptions {
  /** after each committed write, with the batches' summaries (auto-download, waiters) */
  onWritten?: (r: ApplyResult, summaries: BatchSummary[]) => void
  /** where a batch that can never be written is set aside */
  deadLetterDir?: string
  maxPerTask?: number
  /** test only (STORE_WRITE_DELAY_MS): each write waits this long before it goes to the pool */
  delayMs?: number
  /** how long and how many events the event log keeps */
  retention?: EventRetention
}

export class WriteQueue {
  private queue: EncodedBatch[] = []
  private running: Promise<void> | null = null
  private idleWaiters: Array<() => void> = []
  written = 0
  failures = 0
  /** counts writes that settled, committed or failed: readers that cache answers compare it */
  generation = 0

  deadLettered = 0
  /** what is committed, in the WhatsApp worker's numbering: tools wait on it before they report a write */
  readonly commits = new CommitTracker()
  /** the batch most recently pushed, so a caller can wait for everything pushed so far */
  private last: { gen: number; seq: number } | undefined

  private async deadLetter(encoded: EncodedBatch, err: unknown): Promise<void> {
    const batch = decodeBatch(encoded.data)
    this.deadLettered++
    if (!this.deadLetterDir) return
    const path = join(this.deadLetterDir, `batch-${Date.now()}-${this.deadLettered}.json`)
    try {
      await mkdir(this.deadLetterDir, { recursive: true, mode: 0o700 })
      await writeFile(path, JSON.stringify({ error: (err as Error).message, batch }, (_k, v: unknown) => (v instanceof Uint8Array ? { base64: Buffer.from(v).toString('base64') } : v)), { mode: 0o600 })
      this.log.error({ path }, 'a store batch failed repeatedly and was set aside')
    } catch (e) {
      this.log.error({ err: e }, 'could not set a failed store batch aside')
    }
  }

  private readonly onWritten?: (r: ApplyResult, summaries: BatchSummary[]) => void
  private readonly deadLetterDir?: string
  private readonly maxPerTask: number
  private readonly delayMs: number
  private readonly retention?: EventRetention

  constructor(
    private readonly pool: Pool,
    private readonly dbPath: string,
    private readonly log: Logger,
    opts: WriteQueueOptions = {}
  ) {
    this.onWritten = opts.onWritten
    this.deadLetterDir = opts.deadLetterDir
    this.maxPerTask = opts.maxPerTask ?? 64
    this.delayMs = opts.delayMs ?? 0
    this.retention = opts.retention
  }

  get pending(): number {
    return this.queue.length
  }

  /** an encoded batch from the WhatsApp worker, or a plain one (encoded here) */
  push(batch: EncodedBatch | StoreBatch): void {
    const encoded = 'data' in batch && batch.data instanceof SharedArrayBuffer ? (batch as EncodedBatch) : encodeBatch(batch as StoreBatch)
    this.queue.push(encoded)
    const { gen, seq } = encoded.summary
    if (gen !== undefined && seq) {
      this.commits.pushed(gen, seq)
      this.last = { gen, seq }
    }
    if (!this.running) this.running = this.drain()
  }

  /** resolves once batch `seq` of worker generation `gen` is committed (see CommitTracker.wait) */
  committed(gen: number, seq: number): Promise<void> {
    return this.commits.wait(gen, seq)
  }

  /** resolves once every batch pushed until now is committed; later pushes do not hold it up */
  caughtUp(): Promise<void> {
    if (!this.running && this.queue.length === 0) return Promise.resolve()
    const last = this.last
    const tail = this.queue.at(-1)
    // the last batch may be one made here (no worker number): then wait for the queue itself
    if (last && tail?.summary.gen === last.gen && tail.summary.seq === last.seq) return this.commits.wait(last.gen, last.seq)
    return this.idle()
  }

  /** resolves once everything pushed so far is on disk */
  idle(): Promise<void> {
    if (!this.running && this.queue.length === 0) return Promise.resolve()
    return new Promise((r) => this.idleWaiters.push(r))
  }

  private settled(batches: EncodedBatch[]): void {
    for (const b of batches) if (b.summary.gen !== undefined && b.summary.seq) this.commits.committed(b.summary.gen, b.summary.seq)
  }

  private async drain(): Promise<void> {
    let delay = 50
    let failedInRow = 0
    while (this.queue.length) {
      // after three failures in a row, go one batch at a time to isolate the one that fails
      const take = failedInRow >= 3 ? 1 : this.maxPerTask
      if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs))
      const batches = this.queue.slice(0, take)
      try {
        // shared bytes: the pool reads the same memory, and a failed write is retried from it
        const r = await this.pool.run<ApplyResult>('storeWrite', { dbPath: this.dbPath, encoded: batches.map((b) => b.data), retention: this.retention }).finally(() => this.generation++)
        this.queue.splice(0, batches.length)
        this.written += batches.length
        delay = 50
        failedInRow = 0
        this.settled(batches)
        this.onWritten?.(r, batches.map((b) => b.summary))
      } catch (err) {
        this.failures++
        failedInRow++
        this.log.error({ err, batches: batches.length, failedInRow }, 'store write failed; retrying')
        if (take === 1 && failedInRow >= 6) {
          // a batch that cannot be written is set aside on disk, not dropped, and the queue moves on
          await this.deadLetter(batches[0]!, err)
          this.queue.shift()
          // set aside on disk is kept, not lost: what acknowledged it may go, or the connection would stall
          this.settled(batches.slice(0, 1))
          failedInRow = 0
          continue
        }
        await new Promise((r) => setTimeout(r, delay))
        delay = Math.min(delay * 2, 2000)
      }
    }
    this.running = null
    for (const w of this.idleWaiters.splice(0)) w()
  }
}

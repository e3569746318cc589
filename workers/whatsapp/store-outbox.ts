// The worker's side of the store hand-over: records leave as numbered, encoded batches on the events port.
// Live events arriving within COALESCE_MS of each other travel as one batch (see batch-merge.ts), and
// what each batch carries is told to the ack gate, so a receipt leaves only once its batch is committed.
import type { StoreBatch } from '../../src/store/batch.js'
import type { WaWorkerEvent } from '../../src/wa/worker-api.js'
import { encodeBatch, splitBatch, MAX_MESSAGES_PER_BATCH } from '../../src/store/batch-codec.js'
import { BatchCoalescer } from '../../src/store/batch-merge.js'

/** how long a live store batch waits for others to travel with it */
const COALESCE_MS = 5

export class StoreOutbox {
  private readonly coalescer = new BatchCoalescer(MAX_MESSAGES_PER_BATCH)
  private pendingTimer: NodeJS.Timeout | undefined
  /** the number of the last batch emitted; the main thread reports commits by it */
  private emittedSeq = 0
  /** what was taken in while its records still wait in the coalescer: it travels in the next batch emitted */
  private awaitingSeq: string[] = []

  constructor(
    private readonly emit: (e: WaWorkerEvent) => void,
    /** the ack gate's: `key` (a message id, `hist:<id>`) travels in batch `seq` */
    private readonly saw: (key: string, seq: number) => void
  ) {}

  get seq(): number {
    return this.emittedSeq
  }

  /** to the store; `now` sends at once, for what the caller will read back right away */
  add(b: StoreBatch, now = false): void {
    const ready = this.coalescer.add(b)
    for (const r of ready) this.emitBatch(r)
    // any batch emitted here drained what waited before, with the records awaitingSeq names
    if (ready.length) this.settleAwaiting()
    if (now) this.flush()
    else if (this.coalescer.waiting) this.pendingTimer ??= setTimeout(() => this.flush(), COALESCE_MS)
  }

  /** hands b to the store now; returns the number of the batch that carries it */
  now(b: StoreBatch): number {
    this.add(b, true)
    return this.emittedSeq
  }

  flush(): void {
    clearTimeout(this.pendingTimer)
    this.pendingTimer = undefined
    for (const b of this.coalescer.drain()) this.emitBatch(b)
    this.settleAwaiting()
  }

  /** records that what `key` names was just handed to add() */
  tookIn(key: string): void {
    if (this.coalescer.waiting) this.awaitingSeq.push(key)
    else this.saw(key, this.emittedSeq)
  }

  private emitBatch(b: StoreBatch): void {
    for (const part of splitBatch(b)) this.emit({ type: 'batch', batch: encodeBatch(part, ++this.emittedSeq) })
  }

  private settleAwaiting(): void {
    if (!this.awaitingSeq.length) return
    for (const k of this.awaitingSeq) this.saw(k, this.emittedSeq)
    this.awaitingSeq = []
  }
}

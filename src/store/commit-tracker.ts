// Which store batches are committed, counted the way the WhatsApp worker numbers them: per worker
// generation (a restarted worker counts from 1 again), in the order the write queue commits them.
import { AppError } from '../errors/app-error.js'

/** how long a tool waits for its record to be committed before it reports the store as unavailable */
export const COMMIT_WAIT_MS = 60_000

interface Waiter {
  gen: number
  seq: number
  resolve: () => void
  reject: (e: AppError) => void
  timer: NodeJS.Timeout
}

/** the commit state of the worker generations still referenced, and the callers waiting on one */
export class CommitTracker {
  private readonly committedOf = new Map<number, number>()
  private readonly pushedOf = new Map<number, number>()
  private readonly gone = new Set<number>()
  private waiters: Waiter[] = []
  private readonly listeners: Array<(gen: number, seq: number) => void> = []

  /** `fn` hears of every advance (the supervisor tells the worker, whose held acknowledgements may go) */
  onAdvance(fn: (gen: number, seq: number) => void): void {
    this.listeners.push(fn)
  }

  /** a batch numbered `seq` of generation `gen` entered the write queue */
  pushed(gen: number, seq: number): void {
    if (seq > (this.pushedOf.get(gen) ?? 0)) this.pushedOf.set(gen, seq)
  }

  /** every batch of `gen` up to `seq` is committed (or set aside on disk by the write queue) */
  committed(gen: number, seq: number): void {
    if (seq <= (this.committedOf.get(gen) ?? 0)) return
    this.committedOf.set(gen, seq)
    for (const fn of this.listeners) fn(gen, seq)
    this.settle()
  }

  /** the worker of `gen` is gone: a batch it never handed over will never come */
  workerGone(gen: number): void {
    this.gone.add(gen)
    this.settle()
    // generations with nothing left to wait for are forgotten
    for (const g of [...this.gone]) {
      if (this.waiters.some((w) => w.gen === g) || (this.committedOf.get(g) ?? 0) < (this.pushedOf.get(g) ?? 0)) continue
      this.gone.delete(g)
      this.committedOf.delete(g)
      this.pushedOf.delete(g)
    }
  }

  /** resolves once batch `seq` of `gen` is committed; STORE_UNAVAILABLE after `ms`, WA_WORKER_CRASHED if it never arrived */
  wait(gen: number, seq: number, ms = COMMIT_WAIT_MS): Promise<void> {
    if ((this.committedOf.get(gen) ?? 0) >= seq) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const w: Waiter = {
        gen,
        seq,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((x) => x !== w)
          reject(new AppError('STORE_UNAVAILABLE', 'WhatsApp took the request, but the message store did not confirm the record in time; check the server log.'))
        }, ms)
      }
      this.waiters.push(w)
      this.settle()
    })
  }

  private settle(): void {
    if (!this.waiters.length) return
    this.waiters = this.waiters.filter((w) => {
      const committed = this.committedOf.get(w.gen) ?? 0
      if (committed >= w.seq) {
        clearTimeout(w.timer)
        w.resolve()
        return false
      }
      const pushed = this.pushedOf.get(w.gen) ?? 0
      if (this.gone.has(w.gen) && committed >= pushed && w.seq > pushed) {
        clearTimeout(w.timer)
        w.reject(new AppError('WA_WORKER_CRASHED', 'The WhatsApp worker stopped before its record of this request reached the store; the request may have reached WhatsApp.'))
        return false
      }
      return true
    })
  }
}

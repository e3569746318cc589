// The piscina pool: the store's writer and every CPU-heavy job run here, never on the event loop.
import { Piscina } from 'piscina'
import { fromPoolError } from '../errors/wire.js'

const TASKS = new URL('../../workers/pool/tasks.js', import.meta.url)

interface Queued {
  name: string
  task: unknown
  transferList?: ArrayBuffer[]
  resolve(v: unknown): void
  reject(e: unknown): void
}

export class Pool {
  private readonly piscina: Piscina
  private readonly threads: number
  // Tasks wait here, first in first out, and piscina gets one per free thread. Piscina's own queue, with a
  // single thread under steady load, let a task wait seconds while later ones ran.
  private readonly waiting: Queued[] = []
  private waitingHead = 0
  private running = 0

  constructor(threads: number) {
    this.threads = Math.max(1, threads)
    this.piscina = new Piscina({ filename: TASKS.href, minThreads: 1, maxThreads: this.threads, idleTimeout: 60_000 })
  }

  run<T>(name: string, task: unknown, transferList?: ArrayBuffer[]): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ name, task, transferList, resolve: resolve as (v: unknown) => void, reject })
      this.pump()
    })
  }

  private pump(): void {
    while (this.running < this.threads && this.waitingHead < this.waiting.length) {
      const q = this.waiting[this.waitingHead++]!
      // drop the taken front of the array now and then, instead of shifting it on every task
      if (this.waitingHead > 1024 && this.waitingHead * 2 > this.waiting.length) {
        this.waiting.splice(0, this.waitingHead)
        this.waitingHead = 0
      }
      this.running++
      this.piscina
        .run(q.task, { name: q.name, transferList: q.transferList as never })
        .then(q.resolve, (err: unknown) => q.reject(fromPoolError(err)))
        .finally(() => {
          this.running--
          this.pump()
        })
    }
  }

  get stats(): { threads: number; queued: number; completed: number } {
    return { threads: this.piscina.threads.length, queued: this.waiting.length - this.waitingHead, completed: this.piscina.completed }
  }

  close(): Promise<void> {
    for (const q of this.waiting.splice(this.waitingHead)) q.reject(new Error('The worker pool is closed.'))
    this.waitingHead = 0
    return this.piscina.destroy()
  }
}

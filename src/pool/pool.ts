// The piscina pool: the store's writer and every CPU-heavy job run here, never on the event loop.
import { Piscina } from 'piscina'
import { fromPoolError } from '../errors/wire.js'

const TASKS = new URL('../../workers/pool/tasks.js', import.meta.url)

export class Pool {
  private readonly piscina: Piscina

  constructor(threads: number) {
    this.piscina = new Piscina({ filename: TASKS.href, minThreads: 1, maxThreads: Math.max(1, threads), idleTimeout: 60_000 })
  }

  async run<T>(name: string, task: unknown, transferList?: ArrayBuffer[]): Promise<T> {
    try {
      return (await this.piscina.run(task, { name, transferList: transferList as never })) as T
    } catch (err) {
      throw fromPoolError(err)
    }
  }

  get stats(): { threads: number; queued: number; completed: number } {
    return { threads: this.piscina.threads.length, queued: this.piscina.queueSize, completed: this.piscina.completed }
  }

  close(): Promise<void> {
    return this.piscina.destroy()
  }
}

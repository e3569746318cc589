// Answers to store reads, kept until the next store write. An agent that polls a chat asks the same
// question many times between two messages; the second time costs a map lookup instead of SQL and JSON.
// Entries belong to one store generation (the writer's count of settled writes): a write, committed or
// not, makes every entry unreachable, and an answer computed across a write is never kept.

export class ResultCache {
  private readonly entries = new Map<string, Buffer>()
  private bytes = 0
  private generation: number
  hits = 0
  misses = 0

  constructor(
    private readonly storeGeneration: () => number,
    private readonly maxEntries = 2_000,
    private readonly maxBytes = 32 * 2 ** 20
  ) {
    this.generation = storeGeneration()
  }

  get enabled(): boolean {
    return this.maxEntries > 0
  }

  /** the generation a read starts in; pass it back to `set` */
  current(): number {
    const g = this.storeGeneration()
    if (g !== this.generation) {
      this.entries.clear()
      this.bytes = 0
      this.generation = g
    }
    return g
  }

  get(key: string): Buffer | undefined {
    this.current()
    const v = this.entries.get(key)
    if (v === undefined) {
      this.misses++
      return undefined
    }
    this.hits++
    // most recently used last, so eviction takes the oldest first
    this.entries.delete(key)
    this.entries.set(key, v)
    return v
  }

  set(key: string, bytes: Buffer, startedIn: number): void {
    if (!this.enabled || this.current() !== startedIn || bytes.length > this.maxBytes / 8) return
    const old = this.entries.get(key)
    if (old !== undefined) this.bytes -= old.length
    this.entries.set(key, bytes)
    this.bytes += bytes.length
    for (const [k, v] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes) break
      this.entries.delete(k)
      this.bytes -= v.length
    }
  }

  stats(): { entries: number; bytes: number; hits: number; misses: number } {
    return { entries: this.entries.size, bytes: this.bytes, hits: this.hits, misses: this.misses }
  }
}

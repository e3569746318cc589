// Live events come one message at a time; a batch per message costs a serialization and a thread hop each.
// Consecutive batches are merged when applying the merged one (kind by kind, in apply-batch's order) gives
// what applying them one after the other would: only record kinds that upsert rows by key qualify. Kinds
// that replace or delete (group participant lists, deletes) or mark progress (history sync) go alone.
import type { StoreBatch } from './batch.js'

const MERGEABLE = new Set<keyof StoreBatch>(['lidMappings', 'contacts', 'chats', 'messages', 'messageUpdates', 'reactions', 'receipts', 'pollVotes'])

export function canMerge(b: StoreBatch): boolean {
  for (const k of Object.keys(b) as Array<keyof StoreBatch>) {
    const v = b[k]
    if (v !== undefined && !(Array.isArray(v) && v.length === 0) && !MERGEABLE.has(k)) return false
  }
  return true
}

/** a's records then b's, kind by kind; neither input is changed */
export function mergeBatches(a: StoreBatch, b: StoreBatch): StoreBatch {
  const out: Record<string, unknown[]> = {}
  for (const k of MERGEABLE) {
    const x = a[k] as unknown[] | undefined
    const y = b[k] as unknown[] | undefined
    if (x || y) out[k] = x && y ? x.concat(y) : (x ?? y)!
  }
  return out as StoreBatch
}

/**
 * Whether b may join pending. Contacts are applied before messages, and the push names of pending's
 * messages are written after them: a contact in b would be overwritten by an older push name.
 */
export function canFollow(pending: StoreBatch, b: StoreBatch): boolean {
  return canMerge(b) && !(b.contacts?.length && pending.messages?.length)
}

/** the merging policy, pure: batches in, the batches to send now out, in order; `drain` takes what waits */
export class BatchCoalescer {
  private pending: StoreBatch | undefined

  constructor(private readonly maxMessages: number) {}

  get waiting(): boolean {
    return this.pending !== undefined
  }

  add(b: StoreBatch): StoreBatch[] {
    if (!canMerge(b)) return [...this.drain(), b]
    const out = this.pending && !canFollow(this.pending, b) ? this.drain() : []
    this.pending = this.pending ? mergeBatches(this.pending, b) : b
    if ((this.pending.messages?.length ?? 0) >= this.maxMessages) out.push(...this.drain())
    return out
  }

  drain(): StoreBatch[] {
    const p = this.pending
    this.pending = undefined
    return p ? [p] : []
  }
}

// Live events come one message at a time; a batch per message costs a serialization and a thread hop each.
// Consecutive batches are merged when applying the merged one (kind by kind, in apply-batch's order) gives
// what applying them one after the other would: only record kinds that upsert rows by key qualify. Kinds
// that replace or delete (group participant lists, deletes) or mark progress (history sync) go alone.
import type { ContactRecord, MessageRecord, StoreBatch } from './batch.js'

const MERGEABLE = new Set<keyof StoreBatch>(['lidMappings', 'contacts', 'chats', 'messages', 'messageUpdates', 'reactions', 'receipts', 'pollVotes'])

export function canMerge(b: StoreBatch): boolean {
  for (const k of Object.keys(b) as Array<keyof StoreBatch>) {
    const v = b[k]
    if (v !== undefined && !(Array.isArray(v) && v.length === 0) && !MERGEABLE.has(k)) return false
  }
  return true
}

/** a's records then b's, kind by kind, in new arrays; neither input is changed */
export function mergeBatches(a: StoreBatch, b: StoreBatch): StoreBatch {
  const out: Record<string, unknown[]> = {}
  for (const k of MERGEABLE) {
    const x = a[k] as unknown[] | undefined
    const y = b[k] as unknown[] | undefined
    if (x || y) out[k] = x && y ? x.concat(y) : [...(x ?? y)!]
  }
  return out as StoreBatch
}

/** b's records appended to the arrays of `into`, a batch made by mergeBatches (whose arrays it owns) */
function appendBatch(into: StoreBatch, b: StoreBatch): void {
  const out = into as Record<string, unknown[] | undefined>
  for (const k of MERGEABLE) {
    const y = b[k] as unknown[] | undefined
    if (!y?.length) continue
    const x = (out[k] ??= [])
    for (const v of y) x.push(v)
  }
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
  /** whether pending's arrays are ours to append to (a merge made them), or still the caller's */
  private owned = false

  constructor(private readonly maxMessages: number) {}

  get waiting(): boolean {
    return this.pending !== undefined
  }

  add(b: StoreBatch): StoreBatch[] {
    if (!canMerge(b)) return [...this.drain(), b]
    const out = this.pending && !canFollow(this.pending, b) ? this.drain() : []
    if (!this.pending) {
      this.pending = b
      this.owned = false
    } else if (!this.owned) {
      this.pending = mergeBatches(this.pending, b)
      this.owned = true
    } else appendBatch(this.pending, b)
    if ((this.pending.messages?.length ?? 0) >= this.maxMessages) out.push(...this.drain())
    return out
  }

  drain(): StoreBatch[] {
    const p = this.pending
    this.pending = undefined
    return p ? [p] : []
  }
}

/**
 * Baileys follows every message that carries a push name with a contact update of that very name. The
 * message says it already (apply-batch writes a sender's push name to the contact), and a contact after
 * messages would end the merging of live batches (see canFollow): such echoes are dropped. A contact
 * update with anything more than the name, or a name no message of the same events carries, is kept.
 */
export function withoutNameEchoes(contacts: ContactRecord[], messages: readonly MessageRecord[]): ContactRecord[] {
  if (!contacts.length || !messages.length) return contacts
  const said = new Set<string>()
  for (const m of messages) {
    if (!m.pushName || m.fromMe || !m.senderJid) continue
    said.add(`${m.senderJid}\u0000${m.pushName}`)
    if (m.senderJidAlt) said.add(`${m.senderJidAlt}\u0000${m.pushName}`)
  }
  let kept: ContactRecord[] | undefined
  for (let i = 0; i < contacts.length; i++) {
    const c = contacts[i]!
    if (isEcho(c, said)) kept ??= contacts.slice(0, i)
    else kept?.push(c)
  }
  return kept ?? contacts
}

function isEcho(c: ContactRecord, said: Set<string>): boolean {
  if (!c.notify || !said.has(`${c.jid}\u0000${c.notify}`)) return false
  for (const k in c) if (k !== 'jid' && k !== 'notify' && c[k as keyof ContactRecord] !== undefined) return false
  return true
}

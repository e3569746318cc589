// Which frames we send to WhatsApp acknowledge something, and when each may leave. Pure: no socket, no timers.
//
// WhatsApp forgets what we acknowledge: a delivery receipt ends the offline queue's copy of a message, a
// `hist_sync` receipt tells the phone a history chunk arrived, an `ack` ends a notification's or a receipt's
// redelivery. Baileys sends the delivery and history receipts before it hands the message to us, and the
// acks right after its handlers ran, so a crash before the store commits would lose what WhatsApp already
// counts as delivered. Every such frame is held here until the store has committed what it acknowledges.
//
// Frames leave in the order Baileys encrypted them (the Noise transport numbers every frame), so a held frame
// holds every frame behind it; `AckQueue.releasable` says how many may go now.

/** what an outgoing frame acknowledges, read from the head of Baileys' rendering of the node */
export type OutgoingAck =
  /** a delivery receipt for messages: leaves once each message's upsert is committed */
  | { kind: 'messages'; ids: string[] }
  /** a `hist_sync` receipt: leaves once the history chunk that notification carried is committed */
  | { kind: 'history'; id: string }
  /** an `ack` of a stanza Baileys has handled: leaves once everything Baileys emitted before it is committed */
  | { kind: 'barrier' }
  /** anything else (queries, our messages, read and retry receipts, pings) */
  | { kind: 'none' }

/** receipt types that tell WhatsApp a message was delivered to this device */
const DELIVERY_TYPES = new Set(['', 'inactive', 'sender', 'peer_msg'])

/** an attribute's value in a rendered head (` name='value'`); binaryNodeToString quotes every value with ' */
const attr = (head: string, name: string): string | undefined => {
  const at = head.indexOf(` ${name}='`)
  if (at < 0) return undefined
  const from = at + name.length + 3
  const end = head.indexOf("'", from)
  return end < 0 ? undefined : head.slice(from, end)
}

/**
 * Classifies a node from `binaryNodeToString`'s text (`<receipt id='..' to='..' type='..'>` and children).
 * Read receipts, retry receipts and everything that is not a receipt or an ack acknowledge nothing.
 */
export function classifyOutgoing(xml: string): OutgoingAck {
  if (xml.startsWith('<ack ')) return { kind: 'barrier' }
  if (!xml.startsWith('<receipt ')) return { kind: 'none' }
  const end = xml.indexOf('>')
  const head = end < 0 ? xml : xml.slice(0, end)
  const id = attr(head, 'id')
  if (!id) return { kind: 'none' }
  const type = attr(head, 'type') ?? ''
  if (type === 'hist_sync') return { kind: 'history', id }
  if (!DELIVERY_TYPES.has(type)) return { kind: 'none' }
  const ids = [id]
  // more ids of one receipt travel as <list><item id='..'/></list>
  if (end >= 0 && end + 2 < xml.length) for (const m of xml.slice(end).matchAll(/<item id='([^']*)'/g)) ids.push(m[1]!)
  return { kind: 'messages', ids }
}

/** a frame in the queue and what must be committed before it leaves */
export interface HeldFrame<F> {
  frame: F
  ack: OutgoingAck
  heldAt: number
  /** for a barrier: the store sequence number it waits for, known once Baileys' events were taken in */
  barrier?: number
}

/**
 * The order of outgoing frames and the commit state they wait on. `seen` maps what the worker took in
 * (message ids, `hist:<notification id>`) to the sequence number of the store batch that carries it.
 */
export class AckQueue<F> {
  private readonly frames: HeldFrame<F>[] = []
  private readonly seen = new Map<string, number>()
  committed = 0

  get length(): number {
    return this.frames.length
  }

  /** the oldest frame still held, if any */
  get head(): HeldFrame<F> | undefined {
    return this.frames[0]
  }

  push(frame: F, ack: OutgoingAck, now: number): HeldFrame<F> {
    const h: HeldFrame<F> = { frame, ack, heldAt: now }
    this.frames.push(h)
    return h
  }

  /** records that `key` travels in the store batch numbered `seq` */
  saw(key: string, seq: number): void {
    this.seen.set(key, seq)
  }

  /** whether a frame's acknowledgement is committed */
  ready(h: HeldFrame<F>): boolean {
    switch (h.ack.kind) {
      case 'none':
        return true
      case 'barrier':
        return h.barrier !== undefined && h.barrier <= this.committed
      case 'history':
        return this.isCommitted(`hist:${h.ack.id}`)
      case 'messages':
        return h.ack.ids.every((id) => this.isCommitted(id))
    }
  }

  private isCommitted(key: string): boolean {
    const seq = this.seen.get(key)
    return seq !== undefined && seq <= this.committed
  }

  /** takes the frames that may leave now, in order, and forgets what they acknowledged */
  release(): F[] {
    let n = 0
    while (n < this.frames.length && this.ready(this.frames[n]!)) n++
    const out = this.frames.splice(0, n)
    for (const h of out) {
      if (h.ack.kind === 'messages') for (const id of h.ack.ids) this.seen.delete(id)
      else if (h.ack.kind === 'history') this.seen.delete(`hist:${h.ack.id}`)
    }
    return out.map((h) => h.frame)
  }

  /** a closed connection: nothing held may be sent on another one */
  clear(): void {
    this.frames.length = 0
    this.seen.clear()
  }

  /** ids seen long ago whose receipt never came (a message Baileys handled without one) are forgotten */
  trimSeen(max: number): void {
    if (this.seen.size <= max) return
    const drop = this.seen.size - max
    let i = 0
    for (const k of this.seen.keys()) {
      if (i++ >= drop) break
      this.seen.delete(k)
    }
  }
}

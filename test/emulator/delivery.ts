// What the server keeps for a real device until the device acknowledges it, as WhatsApp's offline queue
// does: a message until its delivery receipt, a history-sync notification until its `hist_sync` receipt,
// a notification, receipt or call until the client's `ack`. Whatever is not acknowledged when a
// connection ends is delivered again on the next login, in the order it first went out.
import type { BinaryNode } from '@whiskeysockets/baileys'

/** what ends a stanza's redelivery */
export type AckBy = 'receipt' | 'hist_sync' | 'ack'

export interface Acknowledged {
  tag: string
  id: string
  by: AckBy
}

/** receipt types that say a message was delivered to the device (read and retry receipts do not) */
const DELIVERY_TYPES = new Set([undefined, 'inactive', 'sender', 'peer_msg'])

const idsOf = (node: BinaryNode): string[] => {
  const ids = node.attrs.id ? [node.attrs.id] : []
  const list = Array.isArray(node.content) ? node.content.find((c) => c.tag === 'list') : undefined
  if (list && Array.isArray(list.content)) for (const item of list.content) if (item.attrs.id) ids.push(item.attrs.id)
  return ids
}

/**
 * A message id is unique; a receipt carries the id of the message it is about, so several recipients'
 * receipts share it and are told apart by sender. The client's ack echoes `from` as `to`, and `participant`.
 */
const keyOf = (tag: string, id: string, from?: string, participant?: string): string => (tag === 'message' ? `message:${id}` : `${tag}:${id}:${from ?? ''}:${participant ?? ''}`)

export class DeliveryQueue {
  private readonly pending = new Map<string, { node: BinaryNode; by: AckBy }>()

  get size(): number {
    return this.pending.size
  }

  /** keeps `node` until acknowledged; a stanza with the same tag and id replaces the earlier copy */
  add(node: BinaryNode, by: AckBy = node.tag === 'message' ? 'receipt' : 'ack'): void {
    const key = keyOf(node.tag, node.attrs.id ?? '', node.attrs.from, node.attrs.participant)
    this.pending.delete(key)
    this.pending.set(key, { node, by })
  }

  /** everything not acknowledged, oldest first, for a new login */
  unacknowledged(): BinaryNode[] {
    return [...this.pending.values()].map((p) => p.node)
  }

  /** a `receipt` or `ack` from the device: what it acknowledged, now forgotten */
  acknowledge(stanza: BinaryNode): Acknowledged[] {
    const out: Acknowledged[] = []
    const take = (tag: string, id: string, by: AckBy): void => {
      const key = keyOf(tag, id, stanza.attrs.to, stanza.attrs.participant)
      const p = this.pending.get(key)
      if (!p || p.by !== by) return
      this.pending.delete(key)
      out.push({ tag, id, by })
    }
    if (stanza.tag === 'receipt') {
      const type = stanza.attrs.type
      if (type === 'hist_sync') for (const id of idsOf(stanza)) take('message', id, 'hist_sync')
      else if (DELIVERY_TYPES.has(type)) for (const id of idsOf(stanza)) take('message', id, 'receipt')
    } else if (stanza.tag === 'ack' && stanza.attrs.id && stanza.attrs.class && !stanza.attrs.error) {
      take(stanza.attrs.class, stanza.attrs.id, stanza.attrs.class === 'message' ? 'receipt' : 'ack')
    }
    return out
  }
}

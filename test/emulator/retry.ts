// WhatsApp's retry receipts, both ways. A device that cannot decrypt a message answers with a receipt of
// type "retry": <retry count id t v="1"/>, its <registration> id and, from the second try on (or when it
// has no session with the sender at all), its pre-key bundle in <keys>; the sender encrypts the message
// again, on a new session built from those keys when they came. Up to five tries per message, as the real
// clients do (whatsmeow's retry.go, Baileys' sendRetryRequest and sendMessagesAgain).
//
// Here: an emulated phone that cannot decrypt what a real client sent asks that client for a retry, and a
// retry receipt from a real client reaches the emulated phone that sent the message, which sends it again.
import { encodeBigEndian, getBinaryNodeChild, getBinaryNodeChildBuffer, getBinaryNodeChildUInt, proto, writeRandomPadMax16, type BinaryNode } from '@whiskeysockets/baileys'
import { lidJid, now, pnJid, sigAddr, takeRemoteBundle, type Account, type Directory, type RemoteDevice } from './state.js'
import type { PreKeyBundle, SignalIdentity } from './signal-identity.js'
import type { Connection } from './connection.js'

/** how many retry receipts a device sends for one message before it gives up (whatsmeow and Baileys: 5) */
export const MAX_RETRIES = 5
/** how many sent messages the phones remember for a retry (a benchmark's history must not pile up) */
const REMEMBERED = 5000

/** what an emulated phone sent, to encrypt again when a recipient asks */
export type SentMessage =
  | { kind: 'direct'; from: Account; plaintext: Uint8Array; attrs: Record<string, string> }
  | { kind: 'group'; from: Account; group: string; message: proto.IMessage; attrs: Record<string, string> }

export interface RetryHost {
  readonly dir: Directory
  deliverStanza(dev: RemoteDevice, node: BinaryNode): 'sent' | 'queued'
  emit(event: 'retry-receipt', info: RetryEvent): boolean
}

/** one retry receipt: who asked whom, for which message, the how-manieth time, with keys or not */
export interface RetryEvent {
  direction: 'to-client' | 'from-client'
  id: string
  count: number
  withKeys: boolean
  /** the emulated person's phone number */
  person: string
}

const bytes = (n: number, len: number): Buffer => Buffer.from(encodeBigEndian(n, len))

function keysNode(b: PreKeyBundle): BinaryNode {
  return {
    tag: 'keys',
    attrs: {},
    content: [
      { tag: 'type', attrs: {}, content: Buffer.from([5]) },
      { tag: 'identity', attrs: {}, content: b.identity },
      ...(b.preKey ? [{ tag: 'key', attrs: {}, content: [{ tag: 'id', attrs: {}, content: bytes(b.preKey.keyId, 3) }, { tag: 'value', attrs: {}, content: b.preKey.value }] }] : []),
      { tag: 'skey', attrs: {}, content: [{ tag: 'id', attrs: {}, content: bytes(b.skey.keyId, 3) }, { tag: 'value', attrs: {}, content: b.skey.value }, { tag: 'signature', attrs: {}, content: b.skey.signature }] }
    ]
  }
}

/** the bundle a retry receipt carries, or undefined when it carries none (or a malformed one) */
export function bundleOf(receipt: BinaryNode): PreKeyBundle | undefined {
  const keys = getBinaryNodeChild(receipt, 'keys')
  const skey = keys && getBinaryNodeChild(keys, 'skey')
  if (!keys || !skey) return undefined
  const identity = getBinaryNodeChildBuffer(keys, 'identity')
  const registrationId = getBinaryNodeChildUInt(receipt, 'registration', 4)
  const sValue = getBinaryNodeChildBuffer(skey, 'value')
  const sSig = getBinaryNodeChildBuffer(skey, 'signature')
  const sId = getBinaryNodeChildUInt(skey, 'id', 3)
  if (!identity || !sValue || !sSig || sId === undefined || registrationId === undefined) return undefined
  const key = getBinaryNodeChild(keys, 'key')
  const kValue = key && getBinaryNodeChildBuffer(key, 'value')
  const kId = key && getBinaryNodeChildUInt(key, 'id', 3)
  return { registrationId, identity: Buffer.from(identity), skey: { keyId: sId, value: Buffer.from(sValue), signature: Buffer.from(sSig) }, ...(kValue && kId !== undefined ? { preKey: { keyId: kId, value: Buffer.from(kValue) } } : {}) }
}

export class RetryDesk {
  private readonly sent = new Map<string, SentMessage>()
  /** retries asked by emulated phones, by `phone:message id` */
  private readonly asked = new Map<string, number>()

  /** messages a phone could not decrypt and has not decrypted since, by `phone:message id` */
  private readonly failed = new Map<string, { person: string; id: string }>()

  constructor(private readonly host: RetryHost) {}

  /**
   * The decrypt failures of the emulated phones that no retry has healed yet: each is a message a phone
   * could not decrypt and has not decrypted since (a crash harness asserts this is empty).
   */
  unhealed(): Array<{ person: string; id: string }> {
    return [...this.failed.values()]
  }

  /** an emulated phone decrypted this message (perhaps after retries) */
  decrypted(acc: Account, id: string): void {
    this.failed.delete(`${acc.pn}:${id}`)
  }

  /** an emulated phone sent this: kept (the latest few thousand) for a retry */
  noteSent(id: string, m: SentMessage): void {
    this.sent.delete(id)
    this.sent.set(id, m)
    if (this.sent.size > REMEMBERED) this.sent.delete(this.sent.keys().next().value!)
  }

  /**
   * An emulated phone (`acc`) could not decrypt `node`, sent by the real client `from`: it sends that
   * client a retry receipt, with its keys from the second try on or when it has no session with it.
   */
  async cannotDecrypt(acc: Account, from: { acc: Account; dev: RemoteDevice }, node: BinaryNode): Promise<void> {
    const id = node.attrs.id!
    const key = `${acc.pn}:${id}`
    this.failed.set(key, { person: acc.pn, id })
    const count = (this.asked.get(key) ?? 0) + 1
    if (count > MAX_RETRIES) return
    this.asked.set(key, count)
    const signal = this.host.dir.phoneDevice(acc).signal
    const withKeys = count >= 2 || !(await signal.hasSession(sigAddr(from.acc, from.dev.id)))
    const group = node.attrs.to?.endsWith('@g.us') ? node.attrs.to : undefined
    this.host.emit('retry-receipt', { direction: 'to-client', id, count, withKeys, person: acc.pn })
    this.host.deliverStanza(from.dev, {
      tag: 'receipt',
      attrs: { id, type: 'retry', t: String(now()), ...(group ? { from: group, participant: pnJid(acc) } : { from: pnJid(acc) }) },
      content: [
        { tag: 'retry', attrs: { count: String(count), id, t: node.attrs.t ?? String(now()), v: '1' } },
        { tag: 'registration', attrs: {}, content: bytes(signal.registrationId, 4) },
        ...(withKeys ? [keysNode(signal.takeBundle())] : [])
      ]
    })
  }

  /**
   * A real client asks for a message again: the emulated phone that sent it encrypts it once more for that
   * device only, on a new session when the receipt carries keys (or from the second try on).
   */
  async onRetryReceipt(conn: Connection, node: BinaryNode): Promise<void> {
    const dev = conn.device
    const acc = conn.acc
    const m = this.sent.get(node.attrs.id!)
    if (!dev || !acc || !m) return
    const count = Number(getBinaryNodeChild(node, 'retry')?.attrs.count ?? 1)
    const bundle = bundleOf(node)
    this.host.emit('retry-receipt', { direction: 'from-client', id: node.attrs.id!, count, withKeys: !!bundle, person: m.from.pn })
    const signal = this.host.dir.phoneDevice(m.from).signal
    const addr = sigAddr(acc, dev.id)
    if (bundle || count >= 2 || !(await signal.hasSession(addr))) await signal.dropSession(addr)
    const fresh = () => bundle ?? takeRemoteBundle(dev)
    if (m.kind === 'direct') {
      const { type, ciphertext } = await signal.encryptFor(addr, fresh, m.plaintext)
      this.host.deliverStanza(dev, { tag: 'message', attrs: { ...m.attrs }, content: [{ tag: 'enc', attrs: { v: '2', type, count: String(count) }, content: ciphertext }] })
      return
    }
    await this.resendToGroupDevice(signal, m, dev, acc, fresh, count)
  }

  /** a group message again for one device: our sender key's distribution (on the 1:1 session) and the message */
  private async resendToGroupDevice(signal: SignalIdentity, m: Extract<SentMessage, { kind: 'group' }>, dev: RemoteDevice, acc: Account, fresh: () => PreKeyBundle, count: number): Promise<void> {
    const { skdm, ciphertext } = await signal.groupEncrypt(m.group, sigAddr(m.from, 0), writeRandomPadMax16(proto.Message.encode(m.message).finish()))
    const skdmMsg = writeRandomPadMax16(proto.Message.encode({ senderKeyDistributionMessage: { groupId: m.group, axolotlSenderKeyDistributionMessage: skdm } }).finish())
    const pk = await signal.encryptFor(sigAddr(acc, dev.id), fresh, skdmMsg)
    this.host.deliverStanza(dev, {
      tag: 'message',
      attrs: { ...m.attrs, participant: lidJid(m.from), participant_pn: pnJid(m.from) },
      content: [
        { tag: 'enc', attrs: { v: '2', type: pk.type, count: String(count) }, content: pk.ciphertext },
        { tag: 'enc', attrs: { v: '2', type: 'skmsg', count: String(count) }, content: Buffer.from(ciphertext) }
      ]
    })
  }
}

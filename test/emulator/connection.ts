// One client socket: frame buffering, the Noise handshake, then encrypted binary nodes in both directions.
import { randomBytes } from 'node:crypto'
import type { WebSocket } from 'ws'
import { proto, Curve, encodeBinaryNode, decodeBinaryNode, type BinaryNode } from '@whiskeysockets/baileys'
import { ServerNoise, type KeyPair } from './noise.js'
import type { Account, RemoteDevice } from './state.js'

export const stanzaId = (): string => randomBytes(8).toString('hex').toUpperCase()

export interface ConnectionHooks {
  serverStatic: KeyPair
  certChain: Uint8Array
  onHandshake(conn: Connection, payload: proto.ClientPayload): void | Promise<void>
  onStanza(conn: Connection, node: BinaryNode): void | Promise<void>
  onError(conn: Connection, err: unknown): void
  onClose(conn: Connection): void
  log(dir: '<<' | '>>', node: BinaryNode): void
}

export class Connection {
  private readonly noise = new ServerNoise()
  private inBytes = Buffer.alloc(0)
  private introSeen = false
  private stage: 'hello' | 'finish' | 'open' = 'hello'
  private eph: KeyPair | undefined
  private readonly pending = new Map<string, (n: BinaryNode) => void>()
  private chain: Promise<void> = Promise.resolve()
  clientStatic: Buffer = Buffer.alloc(0)
  payload: proto.ClientPayload | undefined
  acc: Account | undefined
  device: RemoteDevice | undefined
  /** QR refs handed to this connection while it registers */
  refs: string[] = []

  constructor(readonly ws: WebSocket, private readonly hooks: ConnectionHooks) {
    ws.on('message', (data: Buffer) => {
      // frames are handled strictly in order, one at a time, as the real server does per socket
      this.chain = this.chain.then(() => this.onData(data)).catch((err) => {
        hooks.onError(this, err)
        ws.close()
      })
    })
    ws.on('close', () => {
      for (const cb of this.pending.values()) cb({ tag: 'iq', attrs: { type: 'error' } })
      this.pending.clear()
      hooks.onClose(this)
    })
  }

  get open(): boolean {
    return this.ws.readyState === 1
  }

  private sendFrame(payload: Uint8Array): void {
    const data = this.noise.established ? this.noise.encryptFrame(payload) : Buffer.from(payload)
    const frame = Buffer.alloc(3 + data.length)
    frame.writeUIntBE(data.length, 0, 3)
    data.copy(frame, 3)
    if (this.open) this.ws.send(frame)
  }

  send(node: BinaryNode): void {
    if (!this.open) return
    this.hooks.log('>>', node)
    this.sendFrame(encodeBinaryNode(node))
  }

  /** an iq from the server that the client must answer */
  query(node: BinaryNode, timeoutMs = 10_000): Promise<BinaryNode> {
    return new Promise((resolve, reject) => {
      node.attrs.id ||= stanzaId()
      const t = setTimeout(() => reject(new Error(`client did not answer iq ${node.attrs.id}`)), timeoutMs)
      this.pending.set(node.attrs.id, (x) => {
        clearTimeout(t)
        resolve(x)
      })
      this.send(node)
    })
  }

  answer(node: BinaryNode): boolean {
    const cb = this.pending.get(node.attrs.id ?? '')
    if (!cb) return false
    this.pending.delete(node.attrs.id!)
    cb(node)
    return true
  }

  close(): void {
    this.ws.close()
  }

  terminate(): void {
    this.ws.terminate()
  }

  private async onData(data: Buffer): Promise<void> {
    this.inBytes = Buffer.concat([this.inBytes, data])
    if (!this.introSeen) {
      // an optional 'ED' routing prefix, then 'WA' 6 3
      if (this.inBytes.subarray(0, 2).toString() === 'ED') {
        const len = (this.inBytes[4]! << 16) | this.inBytes.readUInt16BE(5)
        this.inBytes = this.inBytes.subarray(7 + len)
      }
      if (this.inBytes.length < 4) return
      const hdr = this.inBytes.subarray(0, 4)
      if (hdr[0] !== 0x57 || hdr[1] !== 0x41) throw new Error(`bad intro header ${hdr.toString('hex')}`)
      this.noise.authenticate(hdr)
      this.inBytes = this.inBytes.subarray(4)
      this.introSeen = true
    }
    while (this.inBytes.length >= 3) {
      const size = this.inBytes.readUIntBE(0, 3)
      if (this.inBytes.length < size + 3) break
      const frame = this.inBytes.subarray(3, size + 3)
      this.inBytes = this.inBytes.subarray(size + 3)
      await this.onFrame(frame)
    }
  }

  private async onFrame(frame: Buffer): Promise<void> {
    const { noise } = this
    if (this.stage === 'hello') {
      const { clientHello } = proto.HandshakeMessage.decode(frame)
      const clientEph = clientHello!.ephemeral!
      const eph = Curve.generateKeyPair() as KeyPair
      this.eph = eph
      noise.authenticate(clientEph)
      noise.authenticate(eph.public)
      noise.mixIntoKey(Curve.sharedKey(eph.private, clientEph))
      const staticEnc = noise.encrypt(this.hooks.serverStatic.public)
      noise.mixIntoKey(Curve.sharedKey(this.hooks.serverStatic.private, clientEph))
      const payloadEnc = noise.encrypt(this.hooks.certChain)
      this.sendFrame(proto.HandshakeMessage.encode({ serverHello: { ephemeral: eph.public, static: staticEnc, payload: payloadEnc } }).finish())
      this.stage = 'finish'
      return
    }
    if (this.stage === 'finish') {
      const { clientFinish } = proto.HandshakeMessage.decode(frame)
      const clientStatic = noise.decrypt(clientFinish!.static!)
      noise.mixIntoKey(Curve.sharedKey(this.eph!.private, clientStatic))
      const payload = proto.ClientPayload.decode(noise.decrypt(clientFinish!.payload!))
      noise.finish()
      this.stage = 'open'
      this.clientStatic = clientStatic
      this.payload = payload
      await this.hooks.onHandshake(this, payload)
      return
    }
    const node = await decodeBinaryNode(noise.decryptFrame(frame))
    this.hooks.log('<<', node)
    await this.hooks.onStanza(this, node)
  }
}

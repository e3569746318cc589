// A loopback WhatsApp server that the real, unmodified Baileys client links to, chats through and recovers
// against. Tests drive it through this module's API: scan the QR as the phone, play contacts, push history,
// and inject faults.
import { EventEmitter } from 'node:events'
import { randomBytes, randomInt } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { promisify } from 'node:util'
import { deflate } from 'node:zlib'
import type { AddressInfo } from 'node:net'
import { WebSocketServer } from 'ws'
import {
  proto,
  Curve,
  hmacSign,
  hkdf,
  aesEncryptGCM,
  aesDecryptGCM,
  aesEncryptCTR,
  aesDecryptCTR,
  derivePairingCodeKey,
  getBinaryNodeChild,
  getBinaryNodeChildren,
  writeRandomPadMax16,
  unpadRandomMax16,
  WA_ADV_ACCOUNT_SIG_PREFIX,
  WA_ADV_DEVICE_SIG_PREFIX,
  type BinaryNode,
  type ChatModification
} from '@whiskeysockets/baileys'
import { AccountAppState } from './app-state.js'
import { buildCertChain, keyPairFromSeed, type KeyPair } from './noise.js'
import { Connection, stanzaId } from './connection.js'
import { startMediaServer, type MediaServer } from './media-server.js'
import { Directory, S_WA, lidJid, now, pnJid, sigAddr, takeRemoteBundle, type Account, type Group, type RemoteDevice } from './state.js'
import { handleIq, type IqContext } from './iq.js'
import { createGroup, joinByInvite } from './groups.js'
import { Person } from './person.js'
import { buildHistory, type HistorySeed } from './history.js'
import { DeliveryQueue, type Acknowledged, type AckBy } from './delivery.js'
import { RetryDesk } from './retry.js'

const deflateAsync = promisify(deflate)
// the loopback certificate lives in the source tree, whether this module runs from there or from dist/
const TLS_DIR = [new URL('../fixtures/emulator-tls/', import.meta.url), new URL('../../../test/fixtures/emulator-tls/', import.meta.url)].find((u) => existsSync(new URL('cert.pem', u)))!

export interface EmulatorOptions {
  port?: number
  host?: string
  /** 32 bytes; the same seed gives the same root key, so a child process can trust it in advance */
  rootSeed?: Uint8Array
  tls?: { key: Buffer; cert: Buffer }
  receiptDelayMs?: number
  log?: (...args: unknown[]) => void
}

/** what a person or the phone sent to the account's real clients, and what those clients sent back */
export interface PeerMessage {
  id: string
  from: string
  to: string
  message: proto.IMessage
  node: BinaryNode
}

export type Fault =
  | { kind: 'close' }
  | { kind: 'stream-error'; code: number }
  | { kind: 'failure'; reason: number }
  | { kind: 'replaced' }

export class Emulator extends EventEmitter {
  readonly dir = new Directory()
  url = ''
  readonly rootKey: KeyPair
  readonly rootPublicKeyBase64: string
  media!: MediaServer
  /** every stanza the clients sent, for assertions */
  readonly received: BinaryNode[] = []
  /** every stanza a real client acknowledged, in order: what WhatsApp may forget */
  readonly acknowledged: Array<Acknowledged & { phone: string; deviceId: number; at: number }> = []
  private wss!: WebSocketServer
  private readonly serverStatic = Curve.generateKeyPair() as KeyPair
  private certChain: Uint8Array
  private readonly pendingRegs = new Map<string, { conn: Connection; payload: proto.ClientPayload }>()
  /** clients that asked for a pairing code, by the phone number they named */
  private readonly codeRegs = new Map<string, { conn: Connection; ref: Buffer; wrappedCompanionEphemeral: Buffer; finish?: (r: { bundle: Buffer; companionIdentity: Buffer }) => void }>()
  private readonly histories = new Map<string, HistorySeed>()
  private readonly appState = new Map<string, (collection: string, version: number) => BinaryNode | undefined>()
  /** per account: the app-state key and the patches its phone made */
  private readonly appData = new Map<string, AccountAppState>()
  private readonly conns = new Set<Connection>()
  private readonly heldGroupNotifications = new Map<string, Array<() => void>>()
  private refuse = false
  /** when each person's delivery receipt for a message went out: a read receipt never overtakes it */
  readonly deliveredReceipts = new Map<string, Promise<void>>()
  /** media the emulated phones sent, by message id: what a re-upload request needs */
  readonly sentMedia = new Map<string, { chatJid: string; directPath: string; mediaKey: Uint8Array }>()
  /** stanza tags the server swallows without answering (a hanging server), per account */
  private readonly swallow = new Map<string, Set<string>>()
  /** extra delay before the server handles any stanza of an account */
  private readonly delays = new Map<string, number>()
  private readonly opts: Required<Pick<EmulatorOptions, 'host' | 'receiptDelayMs'>> & EmulatorOptions
  /** retry receipts both ways: what the phones sent, and what they could not decrypt */
  readonly retries = new RetryDesk(this)

  constructor(opts: EmulatorOptions = {}) {
    super()
    // every emulated person listens for what reaches it: a demo account has dozens
    this.setMaxListeners(0)
    this.opts = { host: '127.0.0.1', receiptDelayMs: 250, ...opts }
    this.rootKey = keyPairFromSeed(opts.rootSeed ?? randomBytes(32))
    this.rootPublicKeyBase64 = this.rootKey.public.toString('base64')
    this.certChain = buildCertChain(this.rootKey, this.serverStatic)
  }

  async start(): Promise<this> {
    const tls = this.opts.tls ?? { key: readFileSync(new URL('key.pem', TLS_DIR)), cert: readFileSync(new URL('cert.pem', TLS_DIR)) }
    this.media = await startMediaServer(this.opts.host, tls, (info) => this.emit('media-upload', info))
    this.wss = new WebSocketServer({ host: this.opts.host, port: this.opts.port ?? 0 })
    await new Promise<void>((r) => this.wss.once('listening', r))
    this.url = `ws://${this.opts.host}:${(this.wss.address() as AddressInfo).port}/ws/chat`
    this.wss.on('connection', (ws) => {
      if (this.refuse) {
        ws.terminate()
        return
      }
      const conn = new Connection(ws, {
        serverStatic: this.serverStatic,
        certChain: this.certChain,
        onHandshake: (c, payload) => this.onHandshake(c, payload),
        onStanza: (c, node) => this.onStanza(c, node),
        onError: (_c, err) => {
          this.log('connection error', err)
          this.emit('conn-error', err)
        },
        onClose: (c) => {
          this.conns.delete(c)
          if (c.device?.conn === c) c.device.conn = null
          this.emit('disconnect', c)
        },
        log: (dir, node) => this.log(dir, node.tag, node.attrs)
      })
      this.conns.add(conn)
    })
    return this
  }

  private log(...args: unknown[]): void {
    this.opts.log?.(...args)
  }

  async close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate()
    await this.media.close()
    await new Promise<void>((r) => this.wss.close(() => r()))
  }

  // ------------------------------------------------------------------ people and accounts

  /** an emulated person with a phone (device 0) that can message the account */
  person(opts: { phone?: string; name?: string; lid?: string } = {}): Person {
    const acc = this.dir.account({ phone: opts.phone ?? `1555${String(randomInt(1e7)).padStart(7, '0')}`, name: opts.name, lid: opts.lid })
    return new Person(this, acc)
  }

  account(phone: string): Account | undefined {
    return this.dir.accounts.get(phone)
  }

  /** the account's own phone, to send "from me" messages that companions receive as their own */
  phoneOf(phone: string): Person {
    return new Person(this, this.dir.account({ phone }))
  }

  /** `id` fixes the group's JID (the demo's groups are the same on every run); a random one otherwise */
  createGroup(subject: string, owner: Person, members: Array<Person | string>, id?: string): Group {
    const accs = members.map((m) => (typeof m === 'string' ? this.dir.account({ phone: m }) : m.acc))
    return createGroup(this.dir, subject, owner.acc, accs, id)
  }

  /** a person opens an invite link: in at once, or queued for an admin when the group approves joins */
  joinByInvite(person: Person, code: string): { group: Group; joined: boolean } | undefined {
    return joinByInvite({ dir: this.dir, notifyGroup: (g, a, actor, extra) => this.notifyGroup(g, a, actor, extra) }, person.acc, code)
  }

  setHistory(phone: string, seed: HistorySeed): void {
    this.histories.set(phone, seed)
  }

  private appDataOf(phone: string): AccountAppState {
    let a = this.appData.get(phone)
    if (!a) {
      a = new AccountAppState()
      this.appData.set(phone, a)
    }
    return a
  }

  /**
   * The account's phone changes app-state: contact names, archive, pin, mute, its push name. Before linking
   * they arrive with the first sync; afterwards the clients are told to sync (server_sync).
   */
  async appStateChange(phone: string, changes: Array<{ jid: string; mod: ChatModification }>): Promise<void> {
    const data = this.appDataOf(phone)
    const touched = new Set<string>()
    for (const c of changes) touched.add(await data.apply(c.mod, c.jid))
    if (this.connectedDevices(phone).length) this.serverSync(phone, [...touched])
  }

  setAppStateReply(phone: string, reply: ((collection: string, version: number) => BinaryNode | undefined) | undefined): void {
    if (reply) this.appState.set(phone, reply)
    else this.appState.delete(phone)
  }

  /**
   * The next `times` app-state sync replies for these collections carry a patch encrypted with a key the
   * client never received: Baileys fails with "failed to find key ... to decode patch".
   */
  appStateFault(phone: string, times: number, collections: readonly string[] = ['regular', 'regular_high', 'regular_low', 'critical_block', 'critical_unblock_low']): void {
    let left = times
    this.setAppStateReply(phone, (name, version) => {
      if (left <= 0 || !collections.includes(name)) return undefined
      left--
      const keyId = { id: randomBytes(6) }
      const patch = proto.SyncdPatch.encode({
        version: { version: version + 1 },
        keyId,
        mutations: [{ operation: proto.SyncdMutation.SyncdOperation.SET, record: { index: { blob: randomBytes(32) }, value: { blob: randomBytes(64) }, keyId } }],
        snapshotMac: randomBytes(32),
        patchMac: randomBytes(32)
      }).finish()
      return { tag: 'collection', attrs: { name, version: String(version + 1) }, content: [{ tag: 'patches', attrs: {}, content: [{ tag: 'patch', attrs: {}, content: Buffer.from(patch) }] }] }
    })
  }

  /** tells the account's clients that app-state changed on the server, so they sync it */
  serverSync(phone: string, collections: readonly string[] = ['regular']): void {
    for (const dev of this.connectedDevices(phone)) {
      dev.conn!.send({ tag: 'notification', attrs: { from: S_WA, type: 'server_sync', id: stanzaId(), t: String(now()) }, content: collections.map((name) => ({ tag: 'collection', attrs: { name, version: '0' } })) })
    }
  }

  connectedDevices(phone: string): RemoteDevice[] {
    const acc = this.account(phone)
    return acc ? this.dir.remoteDevices(acc).filter((d) => d.conn) : []
  }

  // ------------------------------------------------------------------ faults

  /** apply a fault to every connected client of an account */
  inject(phone: string, fault: Fault): number {
    let n = 0
    for (const dev of this.connectedDevices(phone)) {
      const conn = dev.conn!
      n++
      switch (fault.kind) {
        case 'close':
          conn.terminate()
          break
        case 'stream-error':
          conn.send({ tag: 'stream:error', attrs: { code: String(fault.code) } })
          setTimeout(() => conn.close(), 20)
          break
        case 'failure':
          if (fault.reason === 401) this.unlink(dev)
          conn.send({ tag: 'failure', attrs: { reason: String(fault.reason), location: 'emu' } })
          setTimeout(() => conn.close(), 20)
          break
        case 'replaced':
          conn.send({ tag: 'stream:error', attrs: {}, content: [{ tag: 'conflict', attrs: { type: 'replaced' } }] })
          setTimeout(() => conn.close(), 20)
          break
      }
    }
    return n
  }

  /** the server stops answering these stanza tags (e.g. 'iq') from an account's clients; [] undoes it */
  hang(phone: string, tags: string[] = ['iq']): void {
    if (tags.length) this.swallow.set(phone, new Set(tags))
    else this.swallow.delete(phone)
  }

  /** every stanza from an account's clients waits this long before the server handles it; 0 undoes it */
  delay(phone: string, ms: number): void {
    if (ms > 0) this.delays.set(phone, ms)
    else this.delays.delete(phone)
  }

  /** while set, new sockets are dropped at once: the server looks unreachable */
  setReachable(reachable: boolean): void {
    this.refuse = !reachable
    if (!reachable) for (const c of this.conns) c.terminate()
  }

  private unlink(dev: RemoteDevice): void {
    for (const acc of this.dir.accounts.values()) if (acc.devices.get(dev.id) === dev) acc.devices.delete(dev.id)
  }

  // ------------------------------------------------------------------ handshake, pairing, login

  private onHandshake(conn: Connection, payload: proto.ClientPayload): void {
    this.emit('handshake', payload)
    if (payload.devicePairingData) return this.startRegistration(conn, payload)
    return this.login(conn, payload)
  }

  private startRegistration(conn: Connection, payload: proto.ClientPayload): void {
    // enough refs that Baileys rotates the QR several times before giving up
    conn.refs = Array.from({ length: 6 }, () => `2@${randomBytes(24).toString('base64')}`)
    this.pendingRegs.set(conn.clientStatic.toString('base64'), { conn, payload })
    conn.send({
      tag: 'iq',
      attrs: { from: S_WA, type: 'set', id: stanzaId(), xmlns: 'md' },
      content: [{ tag: 'pair-device', attrs: {}, content: conn.refs.map((r) => ({ tag: 'ref', attrs: {}, content: Buffer.from(r) })) }]
    })
    this.emit('qr-issued', { refs: conn.refs })
  }

  /** the phone scans the QR string the client shows */
  async scanQr(qr: string, opts: { phone?: string; name?: string; businessName?: string } = {}): Promise<{ jid: string; lid: string }> {
    const [ref, noiseB64, identityB64, advB64] = (qr.split('#')[1] ?? qr).split(',')
    const reg = this.pendingRegs.get(noiseB64 ?? '')
    if (!reg || !ref || !reg.conn.refs.includes(ref) || !identityB64 || !advB64) throw new Error('unknown or expired QR')
    if (!reg.conn.open) throw new Error('the client that showed this QR is gone')
    this.pendingRegs.delete(noiseB64!)
    return this.completePairing(reg, Buffer.from(identityB64, 'base64'), Buffer.from(advB64, 'base64'), opts)
  }

  /**
   * The phone types the 8-character code the client shows (link_code_companion_reg): both sides derive
   * keys from it, the client proves its identity key, and pairing ends as with a QR.
   */
  async enterPairingCode(code: string, opts: { phone?: string; name?: string } = {}): Promise<{ jid: string; lid: string }> {
    const phone = opts.phone ?? '15550001111'
    // the client sends its request without waiting for an answer: give it a moment to arrive
    for (let i = 0; i < 100 && !this.codeRegs.has(phone); i++) await new Promise((r) => setTimeout(r, 20))
    const pending = this.codeRegs.get(phone)
    if (!pending || !pending.conn.open) throw new Error(`no client asked for a pairing code for ${phone}`)
    const acc = this.dir.account({ phone, name: opts.name })
    // unwrap the companion's ephemeral key with the code: salt(32) | iv(16) | aes-ctr(pub)
    const w = pending.wrappedCompanionEphemeral
    const companionEph = aesDecryptCTR(w.subarray(48, 80), await derivePairingCodeKey(code, w.subarray(0, 32)), w.subarray(32, 48))
    const primaryEph = Curve.generateKeyPair() as KeyPair
    const salt = randomBytes(32)
    const iv = randomBytes(16)
    const wrappedPrimary = Buffer.concat([salt, iv, aesEncryptCTR(primaryEph.public, await derivePairingCodeKey(code, salt), iv)])
    const finished = new Promise<{ bundle: Buffer; companionIdentity: Buffer }>((resolve) => (pending.finish = resolve))
    pending.conn.send({
      tag: 'notification',
      attrs: { from: S_WA, type: 'link_code_companion_reg', id: stanzaId(), t: String(now()) },
      content: [
        {
          tag: 'link_code_companion_reg',
          attrs: { stage: 'primary_hello' },
          content: [
            { tag: 'link_code_pairing_ref', attrs: {}, content: pending.ref },
            { tag: 'primary_identity_pub', attrs: {}, content: acc.phoneIdentity.public },
            { tag: 'link_code_pairing_wrapped_primary_ephemeral_pub', attrs: {}, content: wrappedPrimary }
          ]
        }
      ]
    })
    const { bundle, companionIdentity } = await finished
    // the key bundle: salt(32) | iv(12) | aes-gcm(companion identity | primary identity | random(32))
    const companionShared = Curve.sharedKey(primaryEph.private, companionEph)
    const bundleKey = hkdf(companionShared, 32, { salt: bundle.subarray(0, 32), info: 'link_code_pairing_key_bundle_encryption_key' })
    const plain = Buffer.from(aesDecryptGCM(bundle.subarray(44), bundleKey, bundle.subarray(32, 44), Buffer.alloc(0)))
    if (!plain.subarray(0, 32).equals(companionIdentity)) throw new Error('the client proved another identity key')
    const identityShared = Curve.sharedKey(acc.phoneIdentity.private, companionIdentity)
    const advSecret = Buffer.from(hkdf(Buffer.concat([companionShared, identityShared, plain.subarray(64, 96)]), 32, { info: 'adv_secret' }))
    this.codeRegs.delete(phone)
    const reg = this.pendingRegs.get(pending.conn.clientStatic.toString('base64'))
    if (!reg) throw new Error('the client is no longer registering')
    this.pendingRegs.delete(pending.conn.clientStatic.toString('base64'))
    return this.completePairing(reg, companionIdentity, advSecret, { phone, name: opts.name })
  }

  private onPairingCodeIq(conn: Connection, iq: BinaryNode, child: BinaryNode): BinaryNode {
    const phone = (child.attrs.jid ?? '').split('@')[0]!
    if (child.attrs.stage === 'companion_hello') {
      const ref = Buffer.from(randomBytes(16).toString('hex'))
      this.codeRegs.set(phone, { conn, ref, wrappedCompanionEphemeral: Buffer.from(getBinaryNodeChild(child, 'link_code_pairing_wrapped_companion_ephemeral_pub')!.content as Uint8Array) })
      this.emit('pairing-code-requested', { phone })
      return { tag: 'iq', attrs: { from: S_WA, type: 'result', id: iq.attrs.id! }, content: [{ tag: 'link_code_companion_reg', attrs: {}, content: [{ tag: 'link_code_pairing_ref', attrs: {}, content: ref }] }] }
    }
    if (child.attrs.stage === 'companion_finish') {
      const pending = [...this.codeRegs.values()].find((p) => p.conn === conn)
      pending?.finish?.({ bundle: Buffer.from(getBinaryNodeChild(child, 'link_code_pairing_wrapped_key_bundle')!.content as Uint8Array), companionIdentity: Buffer.from(getBinaryNodeChild(child, 'companion_identity_public')!.content as Uint8Array) })
    }
    return { tag: 'iq', attrs: { from: S_WA, type: 'result', id: iq.attrs.id! } }
  }

  private async completePairing(reg: { conn: Connection; payload: proto.ClientPayload }, companionIdentity: Buffer, advSecret: Buffer, opts: { phone?: string; name?: string; businessName?: string }): Promise<{ jid: string; lid: string }> {
    const acc = this.dir.account({ phone: opts.phone ?? '15550001111', name: opts.name })
    const deviceId = acc.nextDeviceId++
    const keyIndex = ++acc.keyIndex
    const details = proto.ADVDeviceIdentity.encode({ rawId: randomInt(2 ** 31), timestamp: now(), keyIndex }).finish()
    const accountSignature = Curve.sign(acc.phoneIdentity.private, Buffer.concat([WA_ADV_ACCOUNT_SIG_PREFIX, details, companionIdentity]))
    const signed = proto.ADVSignedDeviceIdentity.encode({ details, accountSignatureKey: acc.phoneIdentity.public, accountSignature }).finish()
    const hmac = hmacSign(signed, advSecret)
    const deviceIdentity = proto.ADVSignedDeviceIdentityHMAC.encode({ details: signed, hmac }).finish()
    const res = await reg.conn.query({
      tag: 'iq',
      attrs: { from: S_WA, type: 'set', id: stanzaId(), xmlns: 'md' },
      content: [
        {
          tag: 'pair-success',
          attrs: {},
          content: [
            { tag: 'device-identity', attrs: {}, content: deviceIdentity },
            { tag: 'platform', attrs: { name: 'android' } },
            { tag: 'device', attrs: { jid: pnJid(acc, deviceId), lid: lidJid(acc, deviceId) } },
            ...(opts.businessName ? [{ tag: 'biz', attrs: { name: opts.businessName } }] : [])
          ]
        }
      ]
    })
    const signNode = getBinaryNodeChild(getBinaryNodeChild(res, 'pair-device-sign'), 'device-identity')
    if (!signNode) throw new Error('client refused pair-success')
    const acct = proto.ADVSignedDeviceIdentity.decode(signNode.content as Uint8Array)
    const ok = Curve.verify(companionIdentity, Buffer.concat([WA_ADV_DEVICE_SIG_PREFIX, acct.details!, companionIdentity, acc.phoneIdentity.public]), acct.deviceSignature!)
    if (!ok) throw new Error('device signature invalid')
    const dev: RemoteDevice = {
      kind: 'remote',
      id: deviceId,
      noiseKey: reg.conn.clientStatic,
      identity: companionIdentity,
      keyIndex,
      registrationId: 0,
      signed: null,
      preKeys: new Map(),
      conn: null,
      loggedInBefore: false,
      delivery: new DeliveryQueue()
    }
    acc.devices.set(deviceId, dev)
    const out = { jid: pnJid(acc, deviceId), lid: lidJid(acc, deviceId) }
    this.emit('paired', { phone: acc.pn, deviceId, ...out })
    // the real server now forces a reconnect with the new credentials
    reg.conn.send({ tag: 'stream:error', attrs: { code: '515' } })
    setTimeout(() => reg.conn.close(), 50)
    return out
  }

  private login(conn: Connection, payload: proto.ClientPayload): void {
    const acc = this.dir.accounts.get(String(payload.username))
    const dev = acc?.devices.get(payload.device ?? 0)
    if (!acc || !dev || dev.kind !== 'remote' || !dev.noiseKey.equals(conn.clientStatic)) {
      conn.send({ tag: 'failure', attrs: { reason: '401', location: 'emu' } })
      setTimeout(() => conn.close(), 50)
      this.emit('login-refused', { username: String(payload.username) })
      return
    }
    if (dev.conn && dev.conn !== conn) {
      dev.conn.send({ tag: 'stream:error', attrs: {}, content: [{ tag: 'conflict', attrs: { type: 'replaced' } }] })
      dev.conn.close()
    }
    conn.acc = acc
    conn.device = dev
    dev.conn = conn
    conn.send({ tag: 'success', attrs: { t: String(now()), props: '1', abprops: '1', location: 'emu', lid: lidJid(acc, dev.id), display_name: '', creation: String(now() - 86400) } })
    const firstLogin = !dev.loggedInBefore
    dev.loggedInBefore = true
    setTimeout(() => {
      if (!conn.open) return
      // everything the device has not acknowledged, including what went out on a connection that ended
      const queued = dev.delivery.unacknowledged()
      for (const node of queued) conn.send({ ...node, attrs: { ...node.attrs, offline: '1' } })
      // all offline stanzas flushed: Baileys releases its buffered events on this
      conn.send({ tag: 'ib', attrs: { from: S_WA }, content: [{ tag: 'offline', attrs: { count: String(queued.length) } }] })
      this.emit('login', { phone: acc.pn, deviceId: dev.id, firstLogin, offlineDelivered: queued.length })
      // a new companion gets the app-state key, then the phone's history sync, before it goes online
      if (firstLogin) void this.shareAppStateKey(acc).then(() => this.pushHistory(acc.pn)).catch((err) => this.log('history push failed', err))
    }, 20)
  }

  // ------------------------------------------------------------------ stanzas from clients

  private async onStanza(conn: Connection, node: BinaryNode): Promise<void> {
    this.received.push(node)
    this.emit('stanza', node, conn)
    const phone = conn.acc?.pn
    if (phone && this.swallow.get(phone)?.has(node.tag) && node.attrs.type !== 'result') return
    const wait = phone ? this.delays.get(phone) : undefined
    if (wait) await new Promise((r) => setTimeout(r, wait))
    switch (node.tag) {
      case 'iq':
        if (node.attrs.type === 'result' || node.attrs.type === 'error') {
          conn.answer(node)
          return
        }
        {
          const child = Array.isArray(node.content) ? node.content[0] : undefined
          if (node.attrs.xmlns === 'w:sync:app:state' && child?.tag === 'sync' && conn.acc) await this.acceptAppStatePatches(conn.acc.pn, child)
          if (node.attrs.xmlns === 'md' && child?.tag === 'link_code_companion_reg') conn.send(this.onPairingCodeIq(conn, node, child))
          else conn.send(handleIq(this.iqContext(conn), conn, node))
        }
        return
      case 'message':
        return this.onClientMessage(conn, node)
      case 'ack':
        this.acknowledge(conn, node)
        return
      case 'receipt':
        this.acknowledge(conn, node)
        this.emit('receipt', node, conn)
        // a media re-upload request: the phone that sent the media uploads it again and says where
        if (node.attrs.type === 'server-error') void this.reupload(conn, node.attrs.id!)
        if (node.attrs.type === 'retry') void this.retries.onRetryReceipt(conn, node).catch((err) => this.log('retry failed', err))
        conn.send({ tag: 'ack', attrs: { id: node.attrs.id!, class: 'receipt', from: node.attrs.to ?? S_WA, ...(node.attrs.type ? { type: node.attrs.type } : {}) } })
        return
      case 'presence':
      case 'chatstate':
        this.emit(node.tag, node, conn)
        return
      default:
        return
    }
  }

  /** the app-state patches a client pushed (archive, pin, mute ...): kept, and told as 'app-state-patch' */
  private async acceptAppStatePatches(phone: string, sync: BinaryNode): Promise<void> {
    for (const c of getBinaryNodeChildren(sync, 'collection')) {
      const patch = getBinaryNodeChild(c, 'patch')
      if (!patch?.content) continue
      const r = await this.appDataOf(phone).accept(c.attrs.name!, Number(c.attrs.version ?? 0), patch.content as Uint8Array).catch((err: unknown) => {
        // a patch that does not decode or verify is refused, as WhatsApp would; the client syncs again
        this.log('app-state patch refused', err)
        return 409 as const
      })
      this.emit('app-state-patch', { phone, collection: c.attrs.name, ...(r === 409 ? { refused: true, mutations: [] } : { mutations: r }) })
      // the push name is a setting in app state; the server shows it to the people the account writes to
      const name = r === 409 ? undefined : r.find((m) => m.index[0] === 'setting_pushName')?.action.pushNameSetting?.name
      const acc = this.dir.accounts.get(phone)
      if (name && acc) acc.name = name
    }
  }

  private iqContext(conn: Connection): IqContext {
    return {
      dir: this.dir,
      mediaHost: this.media.hostPort,
      appStateReply: conn.acc ? (this.appState.get(conn.acc.pn) ?? ((name: string, version: number) => this.appDataOf(conn.acc!.pn).reply(name, version))) : undefined,
      notifyGroup: (g, action, actor, extra) => this.notifyGroup(g, action, actor, extra),
      accountChanged: (acc, change) => {
        if (change.picture !== undefined) acc.pictureUrl = change.picture ? this.media.setProfilePicture(acc.pn, change.picture) : undefined
        this.emit('account-change', { phone: acc.pn, ...change })
      },
      onLogoutCompanion: (c) => {
        if (c.device) this.unlink(c.device)
        this.emit('logout', { phone: c.acc?.pn })
      }
    }
  }

  private async reupload(conn: Connection, id: string): Promise<void> {
    const sent = this.sentMedia.get(id)
    const rmr: BinaryNode = { tag: 'rmr', attrs: { jid: sent?.chatJid ?? '', from_me: 'false' } }
    if (!sent) {
      conn.send({ tag: 'notification', attrs: { from: S_WA, type: 'mediaretry', id, t: String(now()) }, content: [rmr, { tag: 'error', attrs: { code: String(proto.MediaRetryNotification.ResultType.NOT_FOUND) } }] })
      return
    }
    this.media.restore(sent.directPath)
    const retryKey = hkdf(Buffer.from(sent.mediaKey), 32, { info: 'WhatsApp Media Retry Notification' })
    const iv = randomBytes(12)
    const plain = proto.MediaRetryNotification.encode({ stanzaId: id, directPath: sent.directPath, result: proto.MediaRetryNotification.ResultType.SUCCESS }).finish()
    const ciphertext = aesEncryptGCM(plain, retryKey, iv, Buffer.from(id))
    this.emit('media-reupload', { id })
    conn.send({
      tag: 'notification',
      attrs: { from: S_WA, type: 'mediaretry', id, t: String(now()) },
      content: [{ tag: 'encrypt', attrs: {}, content: [{ tag: 'enc_p', attrs: {}, content: Buffer.from(ciphertext) }, { tag: 'enc_iv', attrs: {}, content: iv }] }, rmr]
    })
  }

  /**
   * `w:gp2` notification to every connected real client of every member (and of the actor, and of
   * `extraAccounts`); each emulated person it reaches is told too (a 'group-notification' event)
   */
  notifyGroup(g: Group, action: BinaryNode, actor: Account, extraAccounts: Account[] = []): void {
    const accounts = new Set([...g.participants.map((p) => p.acc), actor, ...extraAccounts])
    for (const acc of accounts) {
      this.emit('group-notification', { group: g.id, to: acc.pn, actor: actor.pn, action })
      const held = this.heldGroupNotifications.get(acc.pn)
      for (const dev of this.dir.remoteDevices(acc)) {
        const node: BinaryNode = {
          tag: 'notification',
          attrs: { from: g.id, type: 'w:gp2', id: stanzaId(), t: String(now()), participant: lidJid(actor), participant_pn: pnJid(actor), addressing_mode: 'lid', notify: actor.name },
          content: [action]
        }
        if (held) held.push(() => this.deliverStanza(dev, node))
        else this.deliverStanza(dev, node)
      }
    }
  }

  /**
   * Holds the `w:gp2` notifications to the account's clients until released: what a tool answers must then
   * come from its own doing, not from the notification that follows it.
   */
  holdGroupNotifications(phone: string): () => void {
    const held: Array<() => void> = []
    this.heldGroupNotifications.set(phone, held)
    return () => {
      this.heldGroupNotifications.delete(phone)
      for (const send of held.splice(0)) send()
    }
  }

  /** send to a real client now, and keep it until the client acknowledges it (delivered again on its next login) */
  deliverStanza(dev: RemoteDevice, node: BinaryNode, by?: AckBy): 'sent' | 'queued' {
    dev.delivery.add(node, by)
    if (dev.conn?.open) {
      dev.conn.send(node)
      return 'sent'
    }
    return 'queued'
  }

  /** a client's receipt or ack: what it acknowledged is no longer delivered again */
  private acknowledge(conn: Connection, node: BinaryNode): void {
    const dev = conn.device
    if (!dev || dev.kind !== 'remote' || !conn.acc) return
    for (const a of dev.delivery.acknowledge(node)) {
      const rec = { phone: conn.acc.pn, deviceId: dev.id, ...a, at: Date.now() }
      this.acknowledged.push(rec)
      this.emit('acknowledged', rec)
    }
  }

  /** messages a Baileys client sends: fan out per <to> device, as the server does */
  private async onClientMessage(conn: Connection, node: BinaryNode): Promise<void> {
    const sender = conn.acc!
    const senderDev = conn.device!
    const ts = now()
    conn.send({ tag: 'ack', attrs: { class: 'message', id: node.attrs.id!, t: String(ts), from: node.attrs.to! } })
    const participants = getBinaryNodeChildren(getBinaryNodeChild(node, 'participants'), 'to')
    const direct = getBinaryNodeChild(node, 'enc')
    const to = node.attrs.to!
    const isGroup = to.endsWith('@g.us')
    const targets = participants.length ? participants.map((p) => ({ jid: p.attrs.jid!, enc: getBinaryNodeChild(p, 'enc')! })) : direct && !isGroup ? [{ jid: to, enc: direct }] : []
    const receiptsFrom = new Set<Account>()
    // phones that could not decrypt ask the sender for a retry, once per message
    const retryFrom = new Set<Account>()
    for (const { jid, enc } of targets) {
      const { acc, dev } = this.dir.resolve(jid)
      if (!acc || !dev || !enc) continue
      if (dev.kind === 'emulated') {
        try {
          const pt = await dev.signal.decryptFrom(sigAddr(sender, senderDev.id), enc.attrs.type!, Buffer.from(enc.content as Uint8Array))
          const message = proto.Message.decode(unpadRandomMax16(pt))
          this.retries.decrypted(acc, node.attrs.id!)
          if (message.senderKeyDistributionMessage?.axolotlSenderKeyDistributionMessage) {
            await dev.signal.processSkdm(message.senderKeyDistributionMessage.groupId!, sigAddr(sender, senderDev.id), message.senderKeyDistributionMessage.axolotlSenderKeyDistributionMessage)
          }
          if (!isGroup) {
            const item: PeerMessage = { id: node.attrs.id!, from: pnJid(sender, senderDev.id), to, message, node }
            this.emit('peer-message', item, acc)
          }
        } catch (err) {
          this.log('decrypt for emulated device failed', jid, enc.attrs.type, node.attrs.id, err)
          this.emit('decrypt-error', { jid, id: node.attrs.id, err })
          retryFrom.add(acc)
          continue
        }
        if (acc !== sender) receiptsFrom.add(acc)
      } else if (dev !== senderDev && !isGroup) {
        // another real client (a second companion of the sender, or of the recipient): relay
        const isSelf = acc === sender
        const deviceIdentity = getBinaryNodeChild(node, 'device-identity')
        this.deliverStanza(dev, {
          tag: 'message',
          attrs: {
            from: pnJid(sender, senderDev.id),
            sender_lid: lidJid(sender, senderDev.id),
            ...(isSelf ? { recipient: to } : {}),
            id: node.attrs.id!,
            t: String(ts),
            type: node.attrs.type ?? 'text',
            notify: sender.name
          },
          content: [enc, ...(deviceIdentity ? [deviceIdentity] : [])]
        })
      }
    }
    if (isGroup && direct) {
      const g = this.dir.groups.get(to)
      for (const p of g?.participants ?? []) {
        if (p.acc === sender) continue
        const phone = this.dir.phoneDevice(p.acc)
        try {
          const pt = await phone.signal.groupDecrypt(to, sigAddr(sender, senderDev.id), Buffer.from(direct.content as Uint8Array))
          const item: PeerMessage = { id: node.attrs.id!, from: pnJid(sender, senderDev.id), to, message: proto.Message.decode(unpadRandomMax16(pt)), node }
          this.retries.decrypted(p.acc, node.attrs.id!)
          this.emit('peer-group-message', item, p.acc)
          receiptsFrom.add(p.acc)
        } catch (err) {
          this.log('group decrypt failed', p.acc.pn, err)
          this.emit('decrypt-error', { jid: pnJid(p.acc), id: node.attrs.id, err })
          retryFrom.add(p.acc)
        }
      }
    }
    for (const acc of retryFrom) void this.retries.cannotDecrypt(acc, { acc: sender, dev: senderDev }, node).catch((err) => this.log('retry receipt failed', err))
    // delivery receipts, as the recipients' phones would send them (a read receipt waits for these)
    for (const acc of receiptsFrom) {
      const id = node.attrs.id!
      this.deliveredReceipts.set(`${acc.pn}:${id}`, new Promise((resolve) => setTimeout(() => {
        this.deliverStanza(senderDev as RemoteDevice, { tag: 'receipt', attrs: { from: isGroup ? to : pnJid(acc), ...(isGroup ? { participant: pnJid(acc) } : {}), id, t: String(now()) } })
        resolve()
      }, this.opts.receiptDelayMs)))
    }
  }

  // ------------------------------------------------------------------ delivery from emulated phones

  /** encrypt a message from an emulated phone to every real device of an account, queueing for offline ones */
  async encryptToDevices(from: Account, target: Account, message: proto.IMessage, attrs: Record<string, string>, opts: { exceptDevice?: number; ackBy?: AckBy } = {}): Promise<string[]> {
    const signal = this.dir.phoneDevice(from).signal
    const plaintext = writeRandomPadMax16(proto.Message.encode(message).finish())
    if (attrs.id) this.retries.noteSent(attrs.id, { kind: 'direct', from, plaintext, attrs })
    const delivered: string[] = []
    // the server drops what a blocked person sends: their phone shows one tick, nothing arrives
    if (target.blocked.has(lidJid(from)) || target.blocked.has(pnJid(from))) return delivered
    for (const dev of this.dir.remoteDevices(target)) {
      if (dev.id === opts.exceptDevice) continue
      if (!dev.signed) continue // never logged in: no keys uploaded yet
      const { type, ciphertext } = await signal.encryptFor(sigAddr(target, dev.id), () => takeRemoteBundle(dev), plaintext)
      this.deliverStanza(dev, { tag: 'message', attrs: { ...attrs }, content: [{ tag: 'enc', attrs: { v: '2', type }, content: ciphertext }] }, opts.ackBy)
      delivered.push(pnJid(target, dev.id))
    }
    return delivered
  }

  private async shareAppStateKey(acc: Account): Promise<void> {
    await this.waitForKeys(acc)
    await this.encryptToDevices(acc, acc, this.appDataOf(acc.pn).keyShare(), { from: pnJid(acc), id: stanzaId(), t: String(now()), type: 'text', category: 'peer' })
  }

  /** a new companion uploads its prekeys just after login; nothing can be encrypted to it before */
  private async waitForKeys(acc: Account): Promise<void> {
    for (let i = 0; i < 500 && this.dir.remoteDevices(acc).some((d) => d.conn && !d.signed); i++) await new Promise((r) => setTimeout(r, 20))
  }

  /** history sync from the account's phone: inline payloads, chunked, with progress */
  async pushHistory(phone: string, seed?: HistorySeed): Promise<number> {
    const acc = this.account(phone)
    if (!acc) throw new Error(`unknown account ${phone}`)
    await this.waitForKeys(acc)
    const chunks = buildHistory(this.dir, acc, seed ?? this.histories.get(phone) ?? {})
    // every chunk is encoded before the first goes out: a phone prepares its history on its own CPU, and
    // the emulator preparing it on ours, between chunks, would measure the emulator in an ingest bench
    const payloads = await Promise.all(chunks.map((chunk) => deflateAsync(proto.HistorySync.encode(chunk).finish())))
    let sent = 0
    for (const [i, chunk] of chunks.entries()) {
      const inline = payloads[i]!
      const message: proto.IMessage = {
        protocolMessage: {
          type: proto.Message.ProtocolMessage.Type.HISTORY_SYNC_NOTIFICATION,
          historySyncNotification: { syncType: chunk.syncType, chunkOrder: chunk.chunkOrder ?? 0, progress: chunk.progress ?? 100, initialHistBootstrapInlinePayload: inline }
        }
      }
      // the phone sends a chunk again until the companion's hist_sync receipt says it has it
      await this.encryptToDevices(acc, acc, message, { from: pnJid(acc), id: stanzaId(), t: String(now()), type: 'text', category: 'peer' }, { ackBy: 'hist_sync' })
      sent += chunk.conversations?.reduce((n, c) => n + (c.messages?.length ?? 0), 0) ?? 0
      this.emit('history-chunk', { chunkOrder: chunk.chunkOrder, progress: chunk.progress })
    }
    return sent
  }
}

export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  return new Emulator(opts).start()
}

// Signal identity of an emulated device (a contact's phone, or the account's own phone), built on the
// same libsignal package Baileys uses, with Baileys' own sender-key cipher for groups.
import libsignal from 'libsignal'
import { installTrialDecrypt } from '../../workers/whatsapp/signal-trial-decrypt.js'
import { GroupCipher, GroupSessionBuilder, SenderKeyDistributionMessage, SenderKeyName, SenderKeyRecord } from '@whiskeysockets/baileys/lib/Signal/Group/index.js'
import { quietSignal } from './quiet-signal.js'

// a phone's Signal library tries a message on copies of its sessions, as the real ones do
installTrialDecrypt()
quietSignal()

const withPrefix = (k: Uint8Array): Buffer => (k.length === 33 ? Buffer.from(k) : Buffer.concat([Buffer.from([5]), k]))
export const noPrefix = (k: Uint8Array): Buffer => (k.length === 33 ? Buffer.from(k).subarray(1) : Buffer.from(k))

export interface SignalAddress {
  user: string
  device: number
}

export interface PreKeyBundle {
  registrationId: number
  identity: Buffer
  skey: { keyId: number; value: Buffer; signature: Buffer }
  preKey?: { keyId: number; value: Buffer }
}

interface LibKeyPair {
  pubKey: Buffer
  privKey: Buffer
}

class MemSignalStore {
  readonly sessions = new Map<string, Buffer>()
  constructor(private readonly id: SignalIdentity) {}
  async getOurIdentity(): Promise<LibKeyPair> {
    return this.id.identity
  }
  async getOurRegistrationId(): Promise<number> {
    return this.id.registrationId
  }
  async isTrustedIdentity(): Promise<boolean> {
    return true
  }
  async loadSession(addr: string): Promise<unknown> {
    const s = this.sessions.get(addr)
    return s ? libsignal.SessionRecord.deserialize(s) : undefined
  }
  async storeSession(addr: string, record: { serialize(): Buffer }): Promise<void> {
    this.sessions.set(addr, record.serialize())
  }
  async loadPreKey(id: number | string): Promise<LibKeyPair | undefined> {
    return this.id.preKeys.get(Number(id))
  }
  async removePreKey(id: number | string): Promise<void> {
    this.id.preKeys.delete(Number(id))
  }
  async loadSignedPreKey(): Promise<LibKeyPair> {
    return this.id.signedPreKey.keyPair
  }
  async loadSenderKey(name: { toString(): string }): Promise<SenderKeyRecord> {
    const raw = this.id.senderKeys.get(name.toString())
    return raw ? SenderKeyRecord.deserialize(raw) : new SenderKeyRecord()
  }
  async storeSenderKey(name: { toString(): string }, record: SenderKeyRecord): Promise<void> {
    this.id.senderKeys.set(name.toString(), Buffer.from(JSON.stringify(record.serialize())))
  }
}

export class SignalIdentity {
  readonly identity: LibKeyPair
  readonly registrationId: number
  readonly signedPreKey: { keyId: number; keyPair: LibKeyPair; signature: Buffer }
  readonly preKeys = new Map<number, LibKeyPair>()
  readonly senderKeys = new Map<string, Buffer>()
  readonly store: MemSignalStore
  private nextPreKeyId = 1
  // a phone runs one Signal operation at a time: two sends racing on one session (or one sender key) would
  // each build it from the same state, and the second would overwrite what the first sent with
  private queue: Promise<unknown> = Promise.resolve()

  constructor() {
    this.identity = libsignal.curve.generateKeyPair()
    this.registrationId = libsignal.keyhelper.generateRegistrationId()
    this.signedPreKey = libsignal.keyhelper.generateSignedPreKey(this.identity, 1)
    this.store = new MemSignalStore(this)
    this.refill(5)
  }

  refill(n: number): void {
    for (let i = 0; i < n; i++) {
      const id = this.nextPreKeyId++
      this.preKeys.set(id, libsignal.keyhelper.generatePreKey(id).keyPair)
    }
  }

  /** prekeys the server has handed out: each goes to one peer only (the device keeps it until it is used) */
  private readonly handedOut = new Set<number>()

  /** One bundle; the one-time prekey it carries is consumed, as on the real server. */
  takeBundle(): PreKeyBundle {
    let next = [...this.preKeys.keys()].find((id) => !this.handedOut.has(id))
    if (next === undefined) {
      this.refill(5)
      next = [...this.preKeys.keys()].find((id) => !this.handedOut.has(id))!
    }
    this.handedOut.add(next)
    const keyId = next
    const kp = this.preKeys.get(keyId)!
    return {
      registrationId: this.registrationId,
      identity: noPrefix(this.identity.pubKey),
      skey: { keyId: this.signedPreKey.keyId, value: noPrefix(this.signedPreKey.keyPair.pubKey), signature: this.signedPreKey.signature },
      preKey: { keyId, value: noPrefix(kp.pubKey) }
    }
  }

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op, op)
    this.queue = run.catch(() => undefined)
    return run
  }

  private address(a: SignalAddress): { toString(): string } {
    return new libsignal.ProtocolAddress(a.user, a.device)
  }

  async hasSession(a: SignalAddress): Promise<boolean> {
    const s = (await this.store.loadSession(this.address(a).toString())) as { haveOpenSession(): boolean } | undefined
    return !!s && s.haveOpenSession()
  }

  dropSession(a: SignalAddress): Promise<void> {
    return this.serial(async () => {
      this.store.sessions.delete(this.address(a).toString())
    })
  }

  encryptFor(a: SignalAddress, bundle: (() => PreKeyBundle) | undefined, plaintext: Uint8Array): Promise<{ type: 'pkmsg' | 'msg'; ciphertext: Buffer }> {
    return this.serial(async () => {
      const addr = this.address(a)
      if (!(await this.hasSession(a))) {
        if (!bundle) throw new Error(`no session and no bundle for ${addr.toString()}`)
        const bn = bundle()
        await new libsignal.SessionBuilder(this.store, addr).initOutgoing({
          registrationId: bn.registrationId,
          identityKey: withPrefix(bn.identity),
          signedPreKey: { keyId: bn.skey.keyId, publicKey: withPrefix(bn.skey.value), signature: bn.skey.signature },
          preKey: bn.preKey ? { keyId: bn.preKey.keyId, publicKey: withPrefix(bn.preKey.value) } : undefined
        })
      }
      const { type, body } = await new libsignal.SessionCipher(this.store, addr).encrypt(Buffer.from(plaintext))
      return { type: type === 3 ? 'pkmsg' : 'msg', ciphertext: Buffer.from(body, 'binary') }
    })
  }

  decryptFrom(a: SignalAddress, type: string, ciphertext: Buffer): Promise<Buffer> {
    return this.serial(async () => {
      const cipher = new libsignal.SessionCipher(this.store, this.address(a))
      return type === 'pkmsg' ? cipher.decryptPreKeyWhisperMessage(ciphertext) : cipher.decryptWhisperMessage(ciphertext)
    })
  }

  processSkdm(groupId: string, a: SignalAddress, axolotl: Uint8Array): Promise<void> {
    return this.serial(async () => {
      const name = new SenderKeyName(groupId, this.address(a) as never)
      await new GroupSessionBuilder(this.store as never).process(name, new SenderKeyDistributionMessage(null, null, null, null, axolotl))
    })
  }

  groupDecrypt(groupId: string, a: SignalAddress, ciphertext: Uint8Array): Promise<Buffer> {
    return this.serial(async () => {
      const name = new SenderKeyName(groupId, this.address(a) as never)
      return Buffer.from(await new GroupCipher(this.store as never, name).decrypt(ciphertext))
    })
  }

  groupEncrypt(groupId: string, own: SignalAddress, plaintext: Uint8Array): Promise<{ skdm: Uint8Array; ciphertext: Uint8Array }> {
    return this.serial(async () => {
      const name = new SenderKeyName(groupId, this.address(own) as never)
      const skdm = await new GroupSessionBuilder(this.store as never).create(name)
      const ciphertext = await new GroupCipher(this.store as never, name).encrypt(plaintext)
      return { skdm: skdm.serialize(), ciphertext }
    })
  }
}

// What the emulated WhatsApp server knows: accounts (phone number, LID, name), their devices (emulated phones
// with a Signal identity, or real clients with the keys they uploaded), groups, and offline queues.
import { randomInt } from 'node:crypto'
import { jidDecode, type BinaryNode } from '@whiskeysockets/baileys'
import { SignalIdentity, noPrefix, type PreKeyBundle, type SignalAddress } from './signal-identity.js'
import type { Connection } from './connection.js'
import type { DeliveryQueue } from './delivery.js'

export const S_WA = 's.whatsapp.net'

export interface EmulatedDevice {
  kind: 'emulated'
  id: number
  signal: SignalIdentity
}

export interface RemoteDevice {
  kind: 'remote'
  id: number
  noiseKey: Buffer
  identity: Buffer
  keyIndex: number
  registrationId: number
  signed: { keyId: number; value: Buffer; signature: Buffer } | null
  preKeys: Map<number, Buffer>
  conn: Connection | null
  loggedInBefore: boolean
  /** stanzas not yet acknowledged by the device: sent again on its next login (see delivery.ts) */
  delivery: DeliveryQueue
}

export type Device = EmulatedDevice | RemoteDevice

export interface Account {
  pn: string
  lid: string
  name: string
  status: string
  pictureUrl?: string
  devices: Map<number, Device>
  nextDeviceId: number
  keyIndex: number
  phoneIdentity: { public: Buffer; private: Buffer }
  /** the JIDs (LID, and the phone JID beside it) this account blocked: WhatsApp delivers nothing from them */
  blocked: Set<string>
  /** who may add this person to a group: 'invite' is WhatsApp's "my contacts" privacy, an add becomes an invite */
  groupAdd?: 'everyone' | 'invite'
}

export interface GroupParticipant {
  acc: Account
  admin?: 'admin' | 'superadmin'
}

export interface Group {
  id: string
  subject: string
  description?: string
  owner: Account
  t: number
  participants: GroupParticipant[]
  inviteCode: string
  /** only admins send (announcement) / only admins edit the group info (locked) */
  announce?: boolean
  restrict?: boolean
  /** disappearing messages, in seconds; 0 off */
  ephemeral?: number
  /** joining by link waits for an admin's approval */
  joinApproval?: boolean
  /** 'all_member_add': every member may add others */
  memberAddMode?: 'admin_add' | 'all_member_add'
  /** people waiting for an admin to let them in */
  requests: Array<{ acc: Account; t: number }>
  descId?: string
}

export const now = (): number => Math.floor(Date.now() / 1000)

export class Directory {
  readonly accounts = new Map<string, Account>()
  readonly byLid = new Map<string, Account>()
  readonly groups = new Map<string, Group>()

  account(opts: { phone: string; name?: string; lid?: string }): Account {
    const existing = this.accounts.get(opts.phone)
    if (existing) {
      if (opts.name) existing.name = opts.name
      return existing
    }
    // Signal keys cost a few curve operations each: made on first use, so a 100k-message history of
    // 1000 people who never write live does not spend seconds generating keys nobody uses
    let signal: SignalIdentity | undefined
    const phone = { kind: 'emulated', id: 0, get signal() {
      signal ??= new SignalIdentity()
      return signal
    } } as EmulatedDevice
    const acc: Account = {
      pn: opts.phone,
      lid: opts.lid ?? String(100000000000000 + randomInt(2 ** 40)),
      name: opts.name ?? `User ${opts.phone.slice(-4)}`,
      status: 'Hey there! I am using WhatsApp.',
      devices: new Map([[0, phone]]),
      nextDeviceId: 1,
      keyIndex: 0,
      // the phone's Signal identity key doubles as the key that signs companion devices (ADV)
      get phoneIdentity() {
        return { public: noPrefix(phone.signal.identity.pubKey), private: Buffer.from(phone.signal.identity.privKey) }
      },
      blocked: new Set()
    }
    this.accounts.set(acc.pn, acc)
    this.byLid.set(acc.lid, acc)
    return acc
  }

  resolve(jid: string | undefined): { acc?: Account; device: number; dev?: Device } {
    const d = jid ? jidDecode(jid) : undefined
    if (!d) return { device: 0 }
    const acc = d.server === 'lid' ? this.byLid.get(d.user) : this.accounts.get(d.user)
    const device = d.device ?? 0
    return { acc, device, dev: acc?.devices.get(device) }
  }

  phoneDevice(acc: Account): EmulatedDevice {
    return acc.devices.get(0) as EmulatedDevice
  }

  remoteDevices(acc: Account): RemoteDevice[] {
    return [...acc.devices.values()].filter((d): d is RemoteDevice => d.kind === 'remote')
  }
}

export const pnJid = (acc: Account, dev = 0): string => `${acc.pn}${dev ? `:${dev}` : ''}@${S_WA}`
export const lidJid = (acc: Account, dev = 0): string => `${acc.lid}${dev ? `:${dev}` : ''}@lid`
/** how Baileys names the Signal session of a device once it knows the LID */
export const sigAddr = (acc: Account, dev: number): SignalAddress => ({ user: `${acc.lid}_1`, device: dev })

/** the bundle a real client uploaded; its one-time prekey is consumed */
export function takeRemoteBundle(dev: RemoteDevice): PreKeyBundle {
  const first = dev.preKeys.entries().next().value as [number, Buffer] | undefined
  if (first) dev.preKeys.delete(first[0])
  return { registrationId: dev.registrationId, identity: dev.identity, skey: dev.signed!, preKey: first && { keyId: first[0], value: first[1] } }
}

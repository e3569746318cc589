// App-state on the emulated server: the account's sync key (shared by its phone after linking) and, per
// collection, the patches the phone made (contact names, archive, pin, mute, push name), encoded with
// Baileys' own encodeSyncdPatch so the client decodes and verifies them exactly as it would WhatsApp's,
// and the patches a linked client pushes (its own archive, pin, mute ...), verified and kept the same way.

/** one change a linked client pushed: the index (['archive', jid], ...) and the action's value */
export interface PushedMutation {
  collection: string
  index: string[]
  action: proto.ISyncActionValue
}
import { randomBytes } from 'node:crypto'
import { proto, encodeSyncdPatch, decodePatches, newLTHashState, chatModificationToAppPatch, type BinaryNode, type ChatModification, type LTHashState } from '@whiskeysockets/baileys'

export interface AppStateKey {
  keyId: Buffer
  keyData: proto.Message.IAppStateSyncKeyData
}

export class AccountAppState {
  readonly key: AppStateKey
  private readonly states = new Map<string, LTHashState>()
  private readonly patches = new Map<string, Array<{ version: number; bytes: Buffer }>>()

  constructor() {
    this.key = {
      keyId: randomBytes(6),
      keyData: { keyData: randomBytes(32), fingerprint: { rawId: 1, currentIndex: 1, deviceIndexes: [0] }, timestamp: Date.now() }
    }
  }

  /** the protocol message a phone sends its new companion so it can read app-state */
  keyShare(): proto.IMessage {
    return {
      protocolMessage: {
        type: proto.Message.ProtocolMessage.Type.APP_STATE_SYNC_KEY_SHARE,
        appStateSyncKeyShare: { keys: [{ keyId: { keyId: this.key.keyId }, keyData: this.key.keyData }] }
      }
    }
  }

  /** a change the phone made, e.g. { archive: true, lastMessages: [] } for a chat, or { contact: { fullName } } */
  async apply(mod: ChatModification, jid: string): Promise<string> {
    const create = chatModificationToAppPatch(mod, jid)
    // a phone stamps every action; a pin's "pinned" is that time
    create.syncAction.timestamp ??= Date.now()
    const type = create.type
    const state = this.states.get(type) ?? newLTHashState()
    const keyB64 = this.key.keyId.toString('base64')
    const { patch, state: next } = await encodeSyncdPatch(create, keyB64, state, async (id) => (id === keyB64 ? (this.key.keyData as proto.Message.IAppStateSyncKeyData) : undefined) as never)
    this.states.set(type, next)
    const list = this.patches.get(type) ?? []
    list.push({ version: next.version, bytes: Buffer.from(proto.SyncdPatch.encode({ ...patch, version: { version: next.version } }).finish()) })
    this.patches.set(type, list)
    return type
  }

  /**
   * A patch a linked client pushed on top of `fromVersion`: checked with the account's key (MACs and the
   * LTHash, as WhatsApp's server keeps them) and appended, so every device syncing later gets it. A patch
   * on an older version is refused (409): the client must sync first.
   */
  async accept(collection: string, fromVersion: number, bytes: Uint8Array): Promise<PushedMutation[] | 409> {
    const state = this.states.get(collection) ?? newLTHashState()
    if (fromVersion !== state.version) return 409
    const version = state.version + 1
    const patch = { ...proto.SyncdPatch.decode(bytes), version: { version } }
    const keyB64 = this.key.keyId.toString('base64')
    const getKey = async (id: string) => (id === keyB64 ? (this.key.keyData as proto.Message.IAppStateSyncKeyData) : undefined) as never
    const { state: next, mutationMap } = await decodePatches(collection as never, [patch], state, getKey, undefined as never, undefined, undefined, true)
    if (next.version !== version) return 409
    this.states.set(collection, next)
    const list = this.patches.get(collection) ?? []
    list.push({ version, bytes: Buffer.from(proto.SyncdPatch.encode(patch).finish()) })
    this.patches.set(collection, list)
    return Object.values(mutationMap).map((m) => ({ collection, index: m.index as unknown as string[], action: m.syncAction.value ?? {} }))
  }

  /** the server's answer for one collection the client asked for, from its version on */
  reply(collection: string, fromVersion: number): BinaryNode {
    const all = this.patches.get(collection) ?? []
    const newer = all.filter((p) => p.version > fromVersion)
    const latest = all.at(-1)?.version ?? fromVersion
    return {
      tag: 'collection',
      attrs: { name: collection, version: String(Math.max(latest, fromVersion)) },
      ...(newer.length ? { content: [{ tag: 'patches', attrs: {}, content: newer.map((p) => ({ tag: 'patch', attrs: {}, content: p.bytes })) }] } : {})
    }
  }
}

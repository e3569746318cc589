// Which Signal key updates may wait for the auth store's next sync, and which are committed before Baileys
// goes on. Baileys rewrites a contact's Signal session for every message it decrypts, and a group sender's
// key for every group message; committing each one cost about as much as the rest of our work on it.
//
// An update that only moves receiving chains forward may wait. Should a crash lose it, the older state on
// disk still decrypts every later message: Signal derives the keys of a receiving chain (or of a sender key
// chain) forward from any earlier point, as it does for messages that never arrived. What must not be lost
// is what a peer already depends on: a sending chain that has encrypted something, or our own sender key
// (lost, the next message would use its keys again, and the recipients would refuse it). So an update waits
// only when the key was known and what peers depend on is exactly as it was in its last update. A new
// session or sender key state, a consumed pre-key, an identity, app-state keys: all commit at once.

/** libsignal's ChainType.SENDING */
const SENDING = 1

interface SessionShape {
  _sessions?: Record<string, { _chains?: Record<string, { chainType?: number; chainKey?: { counter?: number } }> }>
}

/**
 * Our sending chains in a serialized libsignal session that have encrypted something, and how far each has
 * gone: what a peer already depends on. Undefined for a value not of that shape (it never waits).
 */
export function sendingProgress(session: unknown): string | undefined {
  const sessions = (session as SessionShape | null)?._sessions
  if (!sessions || typeof sessions !== 'object') return undefined
  let out = ''
  for (const base in sessions) {
    const chains = sessions[base]?._chains
    if (!chains || typeof chains !== 'object') return undefined
    for (const key in chains) {
      const c = chains[key]!
      const counter = c.chainKey?.counter
      if (typeof counter !== 'number') return undefined
      // a chain at -1 has never encrypted: made by a ratchet step on receipt, no peer knows its key yet
      if (c.chainType === SENDING && counter >= 0) out += `${base} ${key} ${counter};`
    }
  }
  return out
}

/** byte arrays as JSON keeps them, recognised as empty only when they certainly are */
function noBytes(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return true
  if (Array.isArray(v)) return v.length === 0
  if (typeof v === 'object' && (v as { type?: unknown }).type === 'Buffer') return noBytes((v as { data?: unknown }).data)
  return false
}

/**
 * The states of a group sender's key, as Baileys stores it (the JSON of its states, byte arrays as
 * `{type: 'Buffer', data}`): which there are, a new one arriving with a distribution message. Undefined
 * for our own key (its states hold a private signing key: it encrypts what we send) and for a value not
 * of that shape: those never wait.
 */
export function senderKeyStates(stored: unknown): string | undefined {
  if (!(stored instanceof Uint8Array)) return undefined
  let states: unknown
  try {
    states = JSON.parse(Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength).toString('utf8'))
  } catch {
    return undefined
  }
  if (!Array.isArray(states)) return undefined
  let out = ''
  for (const s of states as Array<{ senderKeyId?: unknown; senderSigningKey?: { private?: unknown } } | null>) {
    if (typeof s?.senderKeyId !== 'number' || !noBytes(s.senderSigningKey?.private)) return undefined
    out += `${s.senderKeyId};`
  }
  return out
}

/** the key types whose updates may wait: a contact's session, a group sender's key */
export const mayEverWait = (type: string): boolean => type === 'session' || type === 'sender-key'

/** what of a key its peers depend on, for the types whose updates may wait; undefined for the rest */
export function peerState(type: string, value: unknown): string | undefined {
  if (type === 'session') return sendingProgress(value)
  if (type === 'sender-key') return senderKeyStates(value)
  return undefined
}

/**
 * The one key a `set()` writes, when that is all it writes: only such an update may wait. Deletes and
 * several keys together are committed at once.
 */
export function soleKey(data: Record<string, Record<string, unknown> | undefined>): [type: string, id: string, value: object] | undefined {
  let found: [string, string, object] | undefined
  for (const type in data) {
    const entries = data[type]
    if (!entries) continue
    for (const id in entries) {
      const value = entries[id]
      if (found || !value || typeof value !== 'object') return undefined
      found = [type, id, value]
    }
  }
  return found
}

/** an update may wait when the key was known and what its peers depend on is as it was */
export const mayWait = (before: string | undefined, after: string | undefined): boolean => before !== undefined && after !== undefined && before === after

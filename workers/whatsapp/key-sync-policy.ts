// Which Signal key updates may wait for the auth store's next sync, and which are committed before Baileys
// goes on. Baileys rewrites a contact's Signal session for every message it decrypts, and committing each
// one cost about as much as the rest of our work on the message together.
//
// A session update that only moves receiving chains forward may wait. Should a crash lose it, the older
// session on disk still decrypts every later message: Signal derives the keys of a receiving chain forward
// from any earlier point, as it does for messages that never arrived, and a DH ratchet step taken on receipt
// is taken again from the same keys (the new sending key it draws differs, but no peer has seen it yet).
// What must not be lost is what a peer already depends on: a sending chain that has encrypted something
// (lost, the next message would reuse its keys, and the recipient would refuse it). So an update waits only
// when our used sending chains are exactly as they were in the last update of that session. Everything
// else, a new session, a consumed pre-key, an identity, app-state keys, commits at once.

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

/**
 * The one session a `set()` writes, when that is all it writes: the only update that may wait. Deletes,
 * several keys, and every other key type are committed at once.
 */
export function soleSession(data: Record<string, Record<string, unknown> | undefined>): [id: string, value: object] | undefined {
  let found: [string, object] | undefined
  for (const type in data) {
    const entries = data[type]
    if (!entries) continue
    for (const id in entries) {
      const value = entries[id]
      if (found || type !== 'session' || !value || typeof value !== 'object') return undefined
      found = [id, value]
    }
  }
  return found
}

/** an update may wait when the session was known and our used sending chains are as they were */
export const mayWait = (before: string | undefined, after: string | undefined): boolean => before !== undefined && after !== undefined && before === after

// Decrypting a Signal message tries the contact's sessions one by one, and libsignal-node (the Signal
// library Baileys uses) tries each on the live session: before it checks the MAC it steps that session's
// ratchet with the message's key. When the message belongs to another session, the MAC check fails, the
// next session decrypts it, and the record is stored with the failed one ratcheted by a key it should never
// have seen. If that one was our newest session (one we just built from the contact's pre-key bundle and
// send on), everything we send on it is "Bad MAC" to the contact from then on, and their answers on it are
// "No matching sessions" to us. Baileys builds such a session on the first send to a contact after every
// start (it asks for the contact's devices again and, when the answer names a LID, replaces the session),
// while the contact may still be writing on the older one: this is how sessions broke after restarts.
//
// The reference libsignal (the Java library and its Rust successor) tries every session state on a copy and
// keeps only the copy that decrypted. So does this: a session that would take a
// ratchet step is tried on a copy, and only a successful copy replaces it. A message on a chain the session
// already has needs no step, so the common case costs nothing extra.
import libsignal from 'libsignal'
import { WhisperMessage } from 'libsignal/src/protobufs.js'

interface SessionEntry {
  getChain(key: Buffer): unknown
  serialize(): unknown
}
interface CipherProto {
  doDecryptWhisperMessage(data: Buffer, session: SessionEntry): Promise<Buffer>
  decryptWithSessions(data: Buffer, sessions: SessionEntry[]): Promise<{ session: SessionEntry; plaintext: Buffer }>
  __trialDecrypt?: true
}

/** the sender's ratchet key of a serialized WhisperMessage (version byte, protobuf, 8-byte MAC) */
function ratchetKeyOf(data: Buffer): Buffer | undefined {
  try {
    return (WhisperMessage.decode(data.subarray(1, -8)) as { ephemeralKey?: Buffer }).ephemeralKey
  } catch {
    return undefined
  }
}

/** the session state a successful trial produced, put in place of the one the record holds */
function adopt(target: SessionEntry, trial: SessionEntry): void {
  for (const k of Object.keys(target)) if (!(k in trial)) delete (target as unknown as Record<string, unknown>)[k]
  Object.assign(target, trial)
}

/**
 * Makes libsignal's SessionCipher try a message against each session without changing the sessions it
 * does not decrypt (idempotent; every SessionCipher in the process, Baileys' and the emulator's). The
 * errors are those libsignal throws: a SessionError when no session decrypts the message.
 */
export function installTrialDecrypt(): void {
  const proto = (libsignal as { SessionCipher: { prototype: CipherProto } }).SessionCipher.prototype
  if (proto.__trialDecrypt) return
  const original = proto.decryptWithSessions
  proto.decryptWithSessions = async function (this: CipherProto, data, sessions) {
    const ratchetKey = ratchetKeyOf(data)
    if (!ratchetKey || !sessions.length) return original.call(this, data, sessions)
    const errs: unknown[] = []
    for (const session of sessions) {
      const steps = !session.getChain(ratchetKey)
      // a SessionEntry's class is not exported, but every entry carries it
      const trial = steps ? (session.constructor as unknown as { deserialize(d: unknown): SessionEntry }).deserialize(session.serialize()) : session
      try {
        const plaintext = await this.doDecryptWhisperMessage(data, trial)
        if (trial !== session) adopt(session, trial)
        ;(session as unknown as { indexInfo: { used: number } }).indexInfo.used = Date.now()
        return { session, plaintext }
      } catch (e) {
        errs.push(e)
      }
    }
    throw new libsignal.SessionError(`No matching sessions found for message (${errs.map((e) => (e as Error).message).join('; ')})`)
  }
  proto.__trialDecrypt = true
}

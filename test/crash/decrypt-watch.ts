// Decrypt failures on both sides of a crash round, and whether each one healed: the server's (Baileys logs
// "failed to decrypt message" with the key, and Signal's "Bad MAC" / "No matching sessions") count as healed
// when the message ends up stored with its content; the emulator's ('decrypt-error' events of the people
// the account wrote to) when the same message id was decrypted later.
import type { Emulator, PeerMessage } from '../emulator/emulator.js'
import type { Lane } from './lane.js'

/** a log line that says Baileys could not decrypt something */
export const isDecryptFailure = (l: Record<string, unknown>): boolean => /failed to decrypt|bad mac|no matching sessions|no session record/i.test(`${String(l.msg ?? '')} ${JSON.stringify(l.err ?? '')}`)

/** the message id a decrypt-failure line names, when it names one */
export const failedId = (l: Record<string, unknown>): string | undefined => {
  const key = l.key as { id?: unknown } | undefined
  return typeof key?.id === 'string' ? key.id : undefined
}

/** the error's own words, short */
const reason = (l: Record<string, unknown>): string => {
  const err = l.err as { message?: unknown } | undefined
  return String(err?.message ?? l.msg ?? '').slice(0, 80)
}

export interface DecryptCount {
  /** distinct messages (or unnamed log lines) that failed to decrypt somewhere */
  seen: number
  healed: number
  /** a few of the unhealed ones, for the round's problems */
  unhealed: string[]
}

export class DecryptWatch {
  private readonly failures: Array<string | undefined> = []
  private readonly decrypted = new Set<string>()

  constructor(emu: Emulator) {
    emu.on('decrypt-error', (e: { id?: string }) => this.failures.push(e.id))
    const ok = (m: PeerMessage): void => void this.decrypted.add(m.id)
    emu.on('peer-message', ok)
    emu.on('peer-group-message', ok)
  }

  /** where a round starts: the emulator's failures so far and the lane's log lines so far */
  mark(lane: Lane): { emu: number; log: number } {
    return { emu: this.failures.length, log: lane.logs.length }
  }

  /** the message ids the server, or an emulated person, failed to decrypt since `from` */
  failedIds(lane: Lane, from: { emu: number; log: number }): Set<string> {
    const ids = lane.logs.slice(from.log).filter(isDecryptFailure).map(failedId)
    return new Set([...ids, ...this.failures.slice(from.emu)].filter((x): x is string => !!x))
  }

  /** the failures since `from`; `stored(id)` says whether the server's store holds the message with content */
  count(lane: Lane, from: { emu: number; log: number }, stored: (id: string) => boolean): DecryptCount {
    const server = lane.logs.slice(from.log).filter(isDecryptFailure)
    const serverIds = new Set(server.map(failedId).filter((x): x is string => !!x))
    const why = new Map(server.map((l) => [failedId(l), reason(l)]))
    const unnamed = server.filter((l) => !failedId(l)).length
    const emuIds = this.failures.slice(from.emu)
    const unhealed: string[] = []
    let healed = 0
    for (const id of serverIds) {
      if (stored(id)) healed++
      else unhealed.push(`server ${id} (${why.get(id)})`)
    }
    const emuNamed = new Set(emuIds.filter((x): x is string => !!x))
    for (const id of emuNamed) {
      if (this.decrypted.has(id)) healed++
      else unhealed.push(`emulator ${id}`)
    }
    const emuUnnamed = emuIds.filter((x) => !x).length
    if (unnamed + emuUnnamed) unhealed.push(`${unnamed + emuUnnamed} without a message id`)
    return { seen: serverIds.size + unnamed + emuNamed.size + emuUnnamed, healed, unhealed }
  }
}

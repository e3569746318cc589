// Cursors into the event log: the sequence number, signed with HMAC-SHA256 under a key kept in the data
// folder and bound to the store's id, so a cursor from another server (or edited by hand) is refused
// instead of silently skipping or repeating events.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { AppError } from '../errors/app-error.js'

const PREFIX = 'ev1'

/** the server's key for signing cursors: 32 random bytes, created 0600 on first use */
export function loadOrCreateKey(path: string): Buffer {
  if (existsSync(path)) {
    const k = readFileSync(path)
    if (k.length >= 32) return k
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
  const k = randomBytes(32)
  writeFileSync(path, k, { mode: 0o600 })
  return k
}

export class EventCursors {
  constructor(private readonly key: Buffer, private readonly storeId: string) {}

  private mac(seq: number): string {
    return createHmac('sha256', this.key).update(`${this.storeId}:${seq}`).digest('base64url').slice(0, 22)
  }

  encode(seq: number): string {
    return `${PREFIX}_${seq.toString(36)}_${this.mac(seq)}`
  }

  /** the sequence number a cursor stands for; CURSOR_INVALID when it is not one of ours */
  decode(cursor: string): number {
    const m = /^ev1_([0-9a-z]{1,12})_([A-Za-z0-9_-]{22})$/.exec(cursor)
    const seq = m ? parseInt(m[1]!, 36) : NaN
    if (m && Number.isSafeInteger(seq)) {
      const want = Buffer.from(this.mac(seq))
      const got = Buffer.from(m[2]!)
      if (want.length === got.length && timingSafeEqual(want, got)) return seq
    }
    throw new AppError('CURSOR_INVALID', 'This cursor was not issued by this server for get_updates / wait_for_messages; call again without since to start from now.')
  }
}

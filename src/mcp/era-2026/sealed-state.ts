// State the client carries between stateless requests (a multi-round request's answers so far, a cursor, a
// task handle), sealed by the server: an HMAC-SHA256 over the kind, the expiry and the payload, so any
// replica holding the key can trust it and no replica has to remember it. Pure apart from the clock.
import { createHmac, timingSafeEqual } from 'node:crypto'
import { ProtocolFault } from '../input.js'

/** a sealed value at most this long is accepted; the rest is refused before any JSON parsing */
export const MAX_SEALED_CHARS = 96 * 1024
const VERSION = 'v1'

export type SealedKind = 'mrtr' | 'cursor' | 'task'

export interface Sealer {
  /** `payload` as an opaque string a client hands back unchanged; it expires `ttlMs` from now */
  seal(kind: SealedKind, payload: unknown, ttlMs: number): string
  /**
   * The payload of a sealed string of this kind. Throws ProtocolFault MCP_STATE_INVALID (malformed, forged,
   * tampered, of another kind) or MCP_STATE_EXPIRED.
   */
  open(kind: SealedKind, sealed: unknown): unknown
}

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url')

export function createSealer(key: Buffer, now: () => number = Date.now): Sealer {
  if (key.length < 32) throw new Error('the state key must be at least 32 bytes')
  const mac = (body: string) => createHmac('sha256', key).update(body).digest()
  const invalid = (why: string) => new ProtocolFault('MCP_STATE_INVALID', `The sealed ${why}; send the request again without it.`)
  return {
    seal(kind, payload, ttlMs) {
      const body = `${VERSION}.${kind}.${Math.floor(now() + ttlMs)}.${b64(JSON.stringify(payload))}`
      return `${body}.${mac(body).toString('base64url')}`
    },
    open(kind, sealed) {
      if (typeof sealed !== 'string' || sealed.length > MAX_SEALED_CHARS) throw invalid('state is not a string of the expected size')
      const cut = sealed.lastIndexOf('.')
      const body = sealed.slice(0, cut)
      const given = Buffer.from(sealed.slice(cut + 1), 'base64url')
      const want = mac(body)
      if (cut < 0 || given.length !== want.length || !timingSafeEqual(given, want)) throw invalid('state fails its signature check (tampered, or signed by another key)')
      const [version, k, expires, data] = body.split('.')
      if (version !== VERSION || k !== kind || data === undefined) throw invalid(`state is not a ${kind} state`)
      if (Number(expires) < now()) throw new ProtocolFault('MCP_STATE_EXPIRED', `The sealed ${kind} state expired; start the request again.`)
      return JSON.parse(Buffer.from(data, 'base64url').toString('utf8')) as unknown
    }
  }
}

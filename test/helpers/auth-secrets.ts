// The key material a linked server holds, read straight from its auth store file, and every way a log line
// could spell it: what the log scan looks for.
import Database from 'better-sqlite3'
import { deserialize } from 'node:v8'

export interface Secret {
  /** where it was found: `creds.noiseKey.private`, `session:<id>._sessions.*.currentRatchet.rootKey`, ... */
  where: string
  bytes: Buffer
}

// a value below one of these names is key material (public keys, counters and ids are not)
const SECRET_NAMES = new Set(['private', 'privKey', 'rootKey', 'chainKey', 'messageKeys', 'seed', 'keyData', 'advSecretKey', 'senderChainKey'])
/** shorter byte strings are not keys, and would match by chance */
const MIN_BYTES = 16

const asBytes = (v: unknown): Buffer | undefined => {
  if (Buffer.isBuffer(v)) return v
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength)
  if (typeof v === 'string' && /^[A-Za-z0-9+/]+={0,2}$/.test(v) && v.length >= 22) return Buffer.from(v, 'base64')
  const b = v as { type?: unknown; data?: unknown }
  if (v && typeof v === 'object' && b.type === 'Buffer') {
    if (typeof b.data === 'string') return Buffer.from(b.data, 'base64')
    if (Array.isArray(b.data)) return Buffer.from(b.data as number[])
  }
  return undefined
}

/** a stored value that is itself JSON (sender keys are kept as the bytes of their JSON) */
const parsedBytes = (v: Buffer): unknown => {
  const first = v[0]
  if (first !== 0x5b && first !== 0x7b) return undefined
  try {
    return JSON.parse(v.toString('utf8'))
  } catch {
    return undefined
  }
}

function walk(v: unknown, where: string, secret: boolean, out: Secret[]): void {
  const bytes = asBytes(v)
  if (bytes) {
    const inner = Buffer.isBuffer(v) || v instanceof Uint8Array ? parsedBytes(bytes) : undefined
    if (inner !== undefined) return walk(inner, where, secret, out)
    if (secret && bytes.length >= MIN_BYTES) out.push({ where, bytes })
    return
  }
  if (!v || typeof v !== 'object') return
  for (const [k, x] of Object.entries(v)) walk(x, `${where}.${k}`, secret || SECRET_NAMES.has(k), out)
}

/** every private key, root key, chain key, message key, sender key seed and signing key, the noise key and the ADV secret */
export function readAuthSecrets(authDbPath: string): Secret[] {
  const db = new Database(authDbPath, { readonly: true, fileMustExist: true })
  try {
    const out: Secret[] = []
    const creds = db.prepare('SELECT value FROM creds WHERE id = 1').get() as { value: string } | undefined
    if (creds) walk(JSON.parse(creds.value), 'creds', false, out)
    for (const r of db.prepare('SELECT type, id, value FROM keys').all() as Array<{ type: string; id: string; value: string | Buffer }>) {
      const value = typeof r.value === 'string' ? JSON.parse(r.value) : deserialize(r.value)
      // a pre-key is a bare key pair; app-state sync keys keep their key under keyData
      walk(value, `${r.type}:${r.id}`, false, out)
    }
    return out
  } finally {
    db.close()
  }
}

/** how a log line could spell these bytes: base64 (padded, bare, URL-safe), hex, Node's inspect of a Buffer, JSON of a Buffer */
export function renderings(bytes: Buffer): string[] {
  const b64 = bytes.toString('base64')
  const hex = bytes.toString('hex')
  return [
    b64,
    b64.replace(/=+$/, ''),
    bytes.toString('base64url'),
    hex,
    `<Buffer ${hex.slice(0, 48).match(/../g)!.join(' ')}`,
    bytes.join(','),
    bytes.join(', ')
  ]
}

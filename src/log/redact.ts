// What may never reach a log line: key material, tokens, cookies. Libraries log whole objects (libsignal
// prints every Signal session it opens or closes, private keys included; Baileys at trace prints the keys
// it caches), so redaction goes by shape, not by the few paths we know. Pure: values in, redacted copies out.

/** what a redacted value becomes */
export const CENSOR = '[redacted]'

/** deeper than this, a logged object is cut (libsignal's sessions are five levels deep) */
const MAX_DEPTH = 8
/** array items kept; the rest is counted */
const MAX_ITEMS = 50
/** a secret shorter than this is not searched for in text: it would match ordinary words */
const MIN_SECRET_LENGTH = 4

// Names whose values are secrets whatever they hold, compared lower-cased without '-' and '_'. Public keys
// (pubKey, baseKey, remoteIdentityKey) are not secret but travel as bytes, which are redacted anyway.
// registrationId is not here: WhatsApp's servers hand it to everyone, and Baileys' "reg id mismatch" lines
// need it.
const SECRET_NAMES = new Set([
  'priv', 'private', 'privkey', 'privatekey', 'secret', 'secretkey', 'password', 'passwd', 'passphrase',
  'authorization', 'proxyauthorization', 'cookie', 'setcookie', 'xuploadtoken', 'rootkey', 'chainkey',
  'mackey', 'cipherkey', 'enckey', 'mediakey', 'keydata', 'noisekey', 'signedidentitykey', 'signedprekey',
  'identitykey', 'advsecretkey', 'pairingephemeralkeypair', 'pairingcode', 'sendersigningkey',
  'senderchainkey', 'seed', 'messagekeys', 'keypair', 'ephemeralkeypair', 'creds', 'keys', 'qr'
])
const SECRET_SUFFIXES = ['token', 'secret', 'secretkey', 'password', 'privkey', 'privatekey']

const normalizeName = (name: string): string => name.toLowerCase().replace(/[-_]/g, '')

/** whether a property of this name holds a secret (`key` alone is decided by its value: see redactValue) */
export function isSecretName(name: string): boolean {
  const n = normalizeName(name)
  if (SECRET_NAMES.has(n)) return true
  for (const s of SECRET_SUFFIXES) if (n.endsWith(s)) return true
  return false
}

// Key material written as text: base64 of 32 bytes or more (43+ characters that look random: see
// looksRandom), hex of 32 bytes or more, and Node's rendering of a Buffer.
const BASE64_RUN = /[A-Za-z0-9+/_-]{43,}={0,2}/g
// not \b: a run right after a letter (0x..., t<hex> in an escaped dump) is still a run
const HEX_RUN = /(?<![0-9a-fA-F])[0-9a-fA-F]{64,}(?![0-9a-fA-F])/g
const BUFFER_TEXT = /<Buffer(?: [0-9a-f]{2})*(?: \.\.\. \d+ more bytes?)?>/g
const BYTE_LIST = /\[\s*(?:\d{1,3}\s*,\s*){15,}\d{1,3}\s*\]/g
// random base64 is about 40% capitals and never mixes the standard '/' with the URL-safe '-' or '_';
// a path such as /tmp/app-Z6sMH6/dead-letter/batch-1 does both
const count = (s: string, re: RegExp): number => s.match(re)?.length ?? 0
const looksRandom = (s: string): boolean =>
  count(s, /[A-Z]/g) >= s.length * 0.15 && count(s, /[a-z]/g) >= s.length * 0.15 && /[0-9]/.test(s) && !(s.includes('/') && /[-_]/.test(s))
const KEYISH_NAME = /^[A-Za-z0-9+/_-]{40,}={0,2}$/

export interface Redactor {
  /** a copy of `value` with every secret replaced; never throws, never returns the bytes of a key */
  value(value: unknown): unknown
  /** `text` with tokens, Buffer renderings and key-length base64/hex runs replaced */
  text(text: string): string
  /** the configured secrets (tokens) replaced in an already serialized line: as written, JSON-escaped or URL-encoded (the sign-in cookie) */
  line(line: string): string
}

/**
 * A redactor that also knows the values of `secrets` (the configured tokens). Values shorter than
 * MIN_SECRET_LENGTH are ignored.
 */
export function makeRedactor(secrets: readonly string[]): Redactor {
  const forms = [...new Set(secrets.filter((s) => s.length >= MIN_SECRET_LENGTH).flatMap((s) => [s, JSON.stringify(s).slice(1, -1), encodeURIComponent(s)]))]
  const line = (s: string): string => {
    for (const f of forms) if (s.includes(f)) s = s.split(f).join(CENSOR)
    return s
  }
  const text = (s: string): string => {
    s = line(s)
    // every pattern below is longer than this
    if (s.length < 43) return s
    return s
      .replace(BUFFER_TEXT, '[bytes]')
      .replace(BYTE_LIST, '[bytes]')
      .replace(HEX_RUN, CENSOR)
      .replace(BASE64_RUN, (run) => (looksRandom(run) ? CENSOR : run))
  }
  const value = (v: unknown): unknown => redactValue(v, text, 0, new WeakSet())
  return { value, text, line }
}

function isBufferJson(o: object): boolean {
  const b = o as { type?: unknown; data?: unknown }
  return b.type === 'Buffer' && (Array.isArray(b.data) || typeof b.data === 'string')
}

function redactValue(v: unknown, text: (s: string) => string, depth: number, seen: WeakSet<object>): unknown {
  if (typeof v === 'string') return text(v)
  if (v === null || typeof v !== 'object') return typeof v === 'function' ? '[function]' : v
  if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return `[bytes ${v.byteLength}]`
  if (seen.has(v)) return '[circular]'
  if (depth >= MAX_DEPTH) return '[deep]'
  seen.add(v)
  try {
    if (Array.isArray(v)) {
      const out = v.slice(0, MAX_ITEMS).map((x) => redactValue(x, text, depth + 1, seen))
      if (v.length > MAX_ITEMS) out.push(`[${v.length - MAX_ITEMS} more]`)
      return out
    }
    if (v instanceof Date) return v
    if (v instanceof Map) return redactValue(Object.fromEntries(v), text, depth, seen)
    if (v instanceof Set) return redactValue([...v], text, depth, seen)
    if (isBufferJson(v)) return '[bytes]'
    // an error stays an instance of its class (pino prints its constructor's name), its text scrubbed
    const out = (v instanceof Error ? Object.create(Object.getPrototypeOf(v) as object) : {}) as Record<string, unknown>
    if (v instanceof Error) {
      out.message = text(v.message)
      if (v.stack) out.stack = text(v.stack)
      if (v.cause !== undefined) out.cause = redactValue(v.cause, text, depth + 1, seen)
    }
    let renamed = 0
    for (const k of Object.keys(v)) {
      const x = (v as Record<string, unknown>)[k]
      // libsignal keys a session's chains by the base64 of a ratchet key
      const name = KEYISH_NAME.test(k) && looksRandom(k) ? `[key ${++renamed}]` : k
      if (k === 'key' ? x !== null && typeof x !== 'object' : isSecretName(k)) out[name] = CENSOR
      else out[name] = redactValue(x, text, depth + 1, seen)
    }
    return out
  } finally {
    seen.delete(v)
  }
}

/**
 * The configured tokens in an environment: every `MCP_AUTH_TOKEN` (comma separated), `ADMIN_TOKEN`,
 * `UPLOAD_TOKEN`.
 */
export function secretsFromEnv(env: Record<string, string | undefined>): string[] {
  return [...(env.MCP_AUTH_TOKEN ?? '').split(','), env.ADMIN_TOKEN ?? '', env.UPLOAD_TOKEN ?? '', ...credentialTokens(env.MCP_CREDENTIALS)]
    .map((s) => s.trim())
    .filter(Boolean)
}

/** the tokens inside MCP_CREDENTIALS (JSON), whatever else is wrong with it: they are secrets either way */
function credentialTokens(raw: string | undefined): string[] {
  if (!raw) return []
  return [...raw.matchAll(/"token"\s*:\s*"([^"\\]{8,})"/g)].map((m) => m[1]!)
}

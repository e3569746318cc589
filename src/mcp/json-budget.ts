// What JSON.parse may be asked to do on the main thread. It cannot be interrupted, and its time grows with
// the number of values and the nesting, not with the bytes: a 20 MB body of ten million nested brackets held
// the event loop 5.5 s, one of a million small objects 235 ms, while a 20 MB base64 string (what send_media
// carries) parses in a few milliseconds. So a body is scanned first, without allocating, and refused when it
// nests too deep or holds too many values. Pure: a function of the bytes.

/** nesting levels of objects and arrays in one body (a tool call needs about six) */
export const JSON_MAX_DEPTH = 64
/** structural tokens (`,` and `:` outside strings) in one body: a full 100-request batch uses a few thousand */
export const JSON_MAX_TOKENS = 50_000

const QUOTE = 0x22
const BACKSLASH = 0x5c
/** strings up to this many bytes are walked in JavaScript, longer ones jumped with indexOf */
const SHORT_STRING = 64

/**
 * Why this body must not be parsed (a batch array of more than `maxBatch` messages, too deep, too many values), or undefined when it may be. The scan jumps over long strings with
 * the native indexOf, so string contents (the bulk of large bodies) cost next to nothing; it does not
 * validate JSON (JSON.parse does that next), it only bounds what JSON.parse will do.
 */
export function jsonBudgetExceeded(body: Uint8Array, maxBatch: number, maxDepth = JSON_MAX_DEPTH, maxTokens = JSON_MAX_TOKENS): { what: 'batch' | 'depth' | 'tokens'; limit: number } | undefined {
  // the bytes as given: a typed array's own indexOf jumps the long strings, no Buffer view needed
  const buf = body
  let depth = 0
  let tokens = 0
  // a batch is a top-level array: its commas at depth 1 count its messages, before any other limit
  let start = 0
  while (start < buf.length && (buf[start] === 0x20 || buf[start] === 0x0a || buf[start] === 0x0d || buf[start] === 0x09)) start++
  const batch = buf[start] === 0x5b
  let messages = 1
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i]!
    if (c === QUOTE) {
      // a short string (a key, a name) byte by byte: a native indexOf per string costs more than it skips
      let j = i + 1
      const stop = Math.min(buf.length, j + SHORT_STRING)
      while (j < stop && buf[j] !== QUOTE && buf[j] !== BACKSLASH) j++
      if (j < stop && buf[j] === QUOTE) {
        i = j
        continue
      }
      // a long one (base64 media, say) or one with escapes: to the closing quote, one preceded by an even
      // number of backslashes
      j = i
      for (;;) {
        j = buf.indexOf(QUOTE, j + 1)
        if (j < 0) return undefined
        let k = j - 1
        while (buf[k] === BACKSLASH) k--
        if ((j - 1 - k) % 2 === 0) break
      }
      i = j
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth) return { what: 'depth', limit: maxDepth }
    } else if (c === 0x5d || c === 0x7d) depth--
    else if (c === 0x2c || c === 0x3a) {
      if (batch && depth === 1 && c === 0x2c && ++messages > maxBatch) return { what: 'batch', limit: maxBatch }
      if (++tokens > maxTokens) return { what: 'tokens', limit: maxTokens }
    }
  }
  return undefined
}

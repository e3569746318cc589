// Reply bodies laid out in one long-lived buffer. uWS sends what the socket takes and copies the rest
// before end() returns, so the same memory serves every reply. A fresh Buffer per reply (or a long string,
// which has to become UTF-8 first) costs a malloc, page faults on first touch and, for V8, external memory
// that brings on mark-compacts: a cached 42 KiB page of messages cost the server 75-94 µs of CPU that way,
// 63 µs from this buffer.

export type WireParts = string | Uint8Array | ReadonlyArray<string | Uint8Array>

/** bodies above this are passed through as they are: a rare huge reply should not pin its size in memory */
const MAX_KEPT = 1 << 20
let scratch = Buffer.allocUnsafeSlow(64 * 1024)

/**
 * The parts end to end, as a view valid until the next call (hand it to end() or write() at once).
 * Small strings pass through: uWS copies them from the stack, and the view would cost more than it saves.
 */
export function wireBody(parts: WireParts): string | Uint8Array {
  if (typeof parts === 'string') return parts.length < 1024 ? parts : join([parts])
  if (parts instanceof Uint8Array) return parts
  return join(parts)
}

function join(parts: ReadonlyArray<string | Uint8Array>): string | Uint8Array {
  let upper = 0
  // a string's UTF-8 is at most three bytes per UTF-16 unit: enough room without measuring it first
  for (const p of parts) upper += typeof p === 'string' ? p.length * 3 : p.length
  if (upper > MAX_KEPT) return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)))
  if (upper > scratch.length) scratch = Buffer.allocUnsafeSlow(Math.max(upper, scratch.length * 2))
  let off = 0
  for (const p of parts) {
    if (typeof p === 'string') off += scratch.write(p, off, 'utf8')
    else {
      scratch.set(p, off)
      off += p.length
    }
  }
  return scratch.subarray(0, off)
}

// How stored message fields are named and spelled for readers: one table for both the JavaScript shape
// (src/mcp/schemas.ts toMessage) and the JSON that SQLite builds (messages-repo.ts), so the two never drift.

/** WhatsApp's message status numbers (WebMessageInfo.Status) by name: readers get the name */
export const STATUS_NAMES = ['error', 'pending', 'sent', 'delivered', 'read', 'played'] as const

/** stored media key (Baileys' camelCase) -> reader key (snake_case), in the order both writers emit them */
export const MEDIA_KEYS = [
  ['mimetype', 'mimetype'],
  ['fileName', 'file_name'],
  ['fileLength', 'file_length'],
  ['seconds', 'seconds'],
  ['width', 'width'],
  ['height', 'height']
] as const

/** the stored media metadata in the readers' snake_case, unknown values left out */
export function mediaOut(m: Record<string, unknown>): Record<string, unknown> {
  const o: Record<string, unknown> = {}
  for (const [from, to] of MEDIA_KEYS) if (m[from] !== undefined && m[from] !== null) o[to] = m[from]
  return o
}

/** a status number by name; a number WhatsApp adds later stays readable as its digits */
export function statusName(n: number): string {
  return STATUS_NAMES[n] ?? String(n)
}

// JID helpers shared by the store, the worker and the tools. Pure.
export const isGroupJid = (jid: string): boolean => jid.endsWith('@g.us')
export const isLidJid = (jid: string): boolean => jid.endsWith('@lid')
export const isPnJid = (jid: string): boolean => jid.endsWith('@s.whatsapp.net')
export const isUserJid = (jid: string): boolean => isLidJid(jid) || isPnJid(jid)

/** drops the device and agent parts: 123:4@s.whatsapp.net -> 123@s.whatsapp.net */
export function normalizeJid(jid: string): string {
  const at = jid.indexOf('@')
  if (at < 0) return jid
  // most JIDs are normal already, and the writer asks for several per stored message: no new string then
  const colon = jid.indexOf(':')
  const under = jid.indexOf('_')
  if ((colon < 0 || colon > at) && (under < 0 || under > at) && !jid.endsWith('@c.us')) return jid
  return normalizeParts(jid, at)
}

function normalizeParts(jid: string, at: number): string {
  let user = jid.slice(0, at)
  const server = jid.slice(at + 1) === 'c.us' ? 's.whatsapp.net' : jid.slice(at + 1)
  const colon = user.indexOf(':')
  if (colon >= 0) user = user.slice(0, colon)
  const under = user.indexOf('_')
  if (under >= 0 && server !== 'g.us') user = user.slice(0, under)
  return `${user}@${server}`
}

export const userOf = (jid: string): string => jid.slice(0, jid.indexOf('@') >>> 0 || jid.length)

/** digits of a phone JID, or undefined for anything else */
export const phoneOf = (jid: string): string | undefined => (isPnJid(jid) ? jid.slice(0, jid.indexOf('@')) : undefined)

/**
 * The digits of a phone number as typed: spaces, dashes, dots, brackets and "+" dropped, and the "00"
 * international prefix (0049 151..., what much of the world dials) read as "+". Not a check: callers test
 * the length.
 */
export function phoneDigits(input: string): string {
  return input.trim().replace(/[\s\-().+]/g, '').replace(/^00/, '')
}

/** "+1 (555) 000-1111", "0049 151 ...", "15550001111" or a JID -> a normalized JID; undefined when it cannot be one */
export function toJid(input: string): string | undefined {
  const s = input.trim()
  if (s.includes('@')) {
    const j = normalizeJid(s)
    return /^[0-9]+(-[0-9]+)?@(s\.whatsapp\.net|lid|g\.us)$/.test(j) || /^[0-9]+@broadcast$/.test(j) || j === 'status@broadcast' ? j : undefined
  }
  const digits = phoneDigits(s)
  return /^[0-9]{6,15}$/.test(digits) ? `${digits}@s.whatsapp.net` : undefined
}

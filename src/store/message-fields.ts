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

export interface ContactCard {
  name: string
  phones: Array<{ number: string; jid?: string }>
}

/**
 * The cards of a contact message's body, which holds the vCards as WhatsApp sent them (messages stored
 * before that hold only the name: undefined). A TEL with a waid parameter names the person's WhatsApp JID.
 */
export function parseVcards(body: string | null): ContactCard[] | undefined {
  if (!body?.startsWith('BEGIN:VCARD')) return undefined
  const cards: ContactCard[] = []
  let card: ContactCard | undefined
  // folded lines (a leading space or tab) continue the previous one (RFC 6350 3.2)
  for (const line of body.replace(/\r?\n[ \t]/g, '').split(/\r?\n/)) {
    if (/^BEGIN:VCARD/i.test(line)) card = { name: '', phones: [] }
    else if (/^END:VCARD/i.test(line) && card) cards.push(card), (card = undefined)
    else if (card) {
      const m = /^(?:item\d+\.)?(FN|TEL)([^:]*):(.*)$/i.exec(line)
      if (m?.[1]!.toUpperCase() === 'FN') card.name = m[3]!.trim()
      else if (m) {
        const waid = /waid=([0-9]+)/i.exec(m[2]!)?.[1]
        card.phones.push({ number: m[3]!.trim(), ...(waid ? { jid: `${waid}@s.whatsapp.net` } : {}) })
      }
    }
  }
  return cards.length ? cards : undefined
}

/** a contact message's body as readers see it: the names on its cards */
export const cardNames = (cards: ContactCard[]): string => cards.map((c) => c.name).join(', ')

/** SQL: 1 for a row whose JSON needs cardsJson (a contact message holding vCards) */
export const HAS_CARDS = `(m.type IN ('contact', 'contacts') AND m.revoked = 0 AND m.body LIKE 'BEGIN:VCARD%')`

/**
 * A message's JSON text from MESSAGE_JSON with its vCards read: the body becomes the names and
 * contact_cards follows it, where toMessage puts them (SQLite cannot parse a vCard).
 */
export function cardsJson(json: string): string {
  const o = JSON.parse(json) as Record<string, unknown>
  const cards = parseVcards(o.body as string)
  if (!cards) return json
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(o)) {
    out[k] = k === 'body' ? cardNames(cards) : v
    if (k === (o.media !== undefined ? 'media' : 'body')) out.contact_cards = cards
  }
  return JSON.stringify(out)
}

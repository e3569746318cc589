// Contact resolution with the reference's documented scores, over the whole store (not only recent rows).
import { z } from 'zod'
import type { Services } from '../app/services.js'
import type { ChatScope } from '../access/principal.js'

export const matchShape = z.object({
  jid: z.string(),
  name: z.string().nullable(),
  notify: z.string().nullable(),
  phone: z.string().nullable(),
  display_name: z.string(),
  matched_by: z.string(),
  score: z.number()
})
export type ContactMatch = z.infer<typeof matchShape>

/** number: exact 100, prefix 90 (anchored: never a match in the middle); name: exact 100, push name exact 95, prefix 80/75, contains 60/55 */
export function scoreContact(query: string, c: { name: string | null; notify: string | null; phone: string | null }): { score: number; by: string } {
  const q = query.trim().toLowerCase()
  const digits = q.replace(/[\s\-().+]/g, '')
  if (/^[0-9]{3,}$/.test(digits)) {
    if (c.phone === digits) return { score: 100, by: 'number' }
    if (c.phone?.startsWith(digits)) return { score: 90, by: 'number_prefix' }
    return { score: 0, by: '' }
  }
  const name = c.name?.toLowerCase()
  const notify = c.notify?.toLowerCase()
  if (name === q) return { score: 100, by: 'name' }
  if (notify === q) return { score: 95, by: 'pushname' }
  if (name?.startsWith(q)) return { score: 80, by: 'name_prefix' }
  if (notify?.startsWith(q)) return { score: 75, by: 'pushname_prefix' }
  if (name?.includes(q)) return { score: 60, by: 'name_contains' }
  if (notify?.includes(q)) return { score: 55, by: 'pushname_contains' }
  return { score: 0, by: '' }
}

/** `scope`: only people a credential may see */
export function resolveContacts(s: Services, query: string, limit: number, scope?: ChatScope): ContactMatch[] {
  const candidates = s.contacts.search(query, 200, undefined, scope).contacts
  return candidates
    .map((c) => {
      const { score, by } = scoreContact(query, c)
      return { jid: c.jid, name: c.name, notify: c.notify, phone: c.phone, display_name: c.display_name, matched_by: by, score }
    })
    .filter((m) => m.score > 0)
    .sort((a, b) => b.score - a.score || a.display_name.localeCompare(b.display_name))
    .slice(0, limit)
}

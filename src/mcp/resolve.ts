// Contact resolution with the reference's documented scores, over the whole store (not only recent rows).
import { z } from 'zod'
import type { Services } from '../app/services.js'
import { phoneDigits } from '../store/jid.js'
import { AppError } from '../errors/app-error.js'
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
  const digits = phoneDigits(q)
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

/**
 * The JID a name stands for where a JID is expected ("send to Ada" without a search first): the one
 * contact whose address-book name, or else push name, is exactly `name` (ignoring case), or the one group
 * with that subject. Errors: NAME_AMBIGUOUS listing the candidates (data.candidates, each {jid, name}) when
 * several match; WA_JID_INVALID when none does.
 */
export function jidByName(s: Services, name: string, scope?: { sees(jid: string): boolean }): string {
  const people = s.contacts.byExactName(name)
  const best = people.filter((p) => p.tier === people[0]?.tier)
  const seen = new Set<string>()
  const candidates = [...best, ...s.groups.bySubject(name)]
    .map((c) => ({ jid: s.contacts.canonical(c.jid) ?? c.jid, name: c.name }))
    .filter((c) => (!scope || scope.sees(c.jid)) && !seen.has(c.jid) && !!seen.add(c.jid))
  if (candidates.length === 1) return candidates[0]!.jid
  if (!candidates.length) throw new AppError('WA_JID_INVALID', `"${name}" is neither a JID, a phone number nor the exact name of a contact or group; search_contacts or list_chats finds the JID.`)
  throw new AppError('NAME_AMBIGUOUS', `"${name}" is the name of ${candidates.length} contacts or groups: ${candidates.slice(0, 5).map((c) => `${c.name} (${c.jid})`).join(', ')}. Pass the JID of the one you mean.`, { candidates })
}

// Contact reads and identity resolution: any JID (phone or LID) or phone number to the canonical JID.
import { scopeWhere } from '../access/chat-policy.js'
import type { ChatScope } from '../access/principal.js'
import { statementCache, type Db } from './open-db.js'
import { decodeCursor, encodeCursor } from './cursor.js'
import { isLidJid, normalizeJid, phoneDigits, toJid } from './jid.js'

export interface ContactRow {
  jid: string
  lid: string | null
  phone: string | null
  name: string | null
  notify: string | null
  verified_name: string | null
  display_name: string
  is_my_contact: boolean
}

interface RawContact {
  jid: string
  lid: string | null
  phone: string | null
  name: string | null
  notify: string | null
  verified_name: string | null
  is_my_contact: number | null
}

const toRow = (r: RawContact): ContactRow => ({
  jid: r.jid,
  lid: r.lid,
  phone: r.phone,
  name: r.name,
  notify: r.notify,
  verified_name: r.verified_name,
  display_name: r.name ?? r.notify ?? r.verified_name ?? (r.phone ? `+${r.phone}` : r.jid),
  is_my_contact: !!r.is_my_contact
})

export class ContactsRepo {
  private readonly prepare: ReturnType<typeof statementCache>

  constructor(private readonly db: Db) {
    this.prepare = statementCache(db)
  }

  /** the canonical JID for any spelling of a person or chat; undefined when it cannot be a JID */
  canonical(input: string): string | undefined {
    const jid = toJid(input)
    if (!jid) return undefined
    if (!isLidJid(jid)) return jid
    return (this.prepare('SELECT pn FROM lid_map WHERE lid = ?').get(normalizeJid(jid)) as { pn: string } | undefined)?.pn ?? jid
  }

  /**
   * Contacts whose address-book name (tier 0) or push or business name (tier 1) is `name`, ignoring case;
   * at most 20. For "send to Ada": the caller takes the best tier and refuses when it holds several.
   */
  byExactName(name: string): Array<{ jid: string; name: string; tier: 0 | 1 }> {
    const n = name.trim()
    return this.prepare(
      `SELECT jid, coalesce(name, notify, verified_name) AS name, iif(name = ? COLLATE NOCASE, 0, 1) AS tier FROM contacts
        WHERE name = ? COLLATE NOCASE OR notify = ? COLLATE NOCASE OR verified_name = ? COLLATE NOCASE ORDER BY tier, jid LIMIT 20`
    ).all(n, n, n, n) as Array<{ jid: string; name: string; tier: 0 | 1 }>
  }

  get(jid: string): ContactRow | undefined {
    const r = this.prepare('SELECT * FROM contacts WHERE jid = ? OR lid = ?').get(jid, jid) as RawContact | undefined
    return r ? toRow(r) : undefined
  }

  /**
   * Ranked search over every contact: exact number, then number prefix (anchored: a partial number never
   * matches in the middle of somebody else's), then name prefix, then name substring.
   */
  /** `scope`: only the people a credential may see (their 1:1 chat JID is in its scope) */
  search(query: string, limit: number, cursor?: string, scope?: ChatScope): { contacts: ContactRow[]; next_cursor: string | null } {
    const scoped = scopeWhere(scope, 'jid')
    const offset = (decodeCursor(cursor, ['contacts', query.trim()], 1) as [number] | undefined)?.[0] ?? 0
    const q = query.trim()
    const digits = phoneDigits(q)
    const isNumber = /^[0-9]{3,}$/.test(digits)
    const like = (s: string) => s.replace(/[\\%_]/g, (x) => `\\${x}`)
    const rows = this.prepare(
        `SELECT *, CASE
            WHEN ? AND phone = ? THEN 0
            WHEN ? AND phone LIKE ? ESCAPE '\\' THEN 1
            WHEN lower(coalesce(name, notify, verified_name, '')) = lower(?) THEN 2
            WHEN coalesce(name, notify, verified_name, '') LIKE ? ESCAPE '\\' THEN 3
            ELSE 4 END AS rank
          FROM contacts
          WHERE ((? AND phone LIKE ? ESCAPE '\\')
             OR name LIKE ? ESCAPE '\\' OR notify LIKE ? ESCAPE '\\' OR verified_name LIKE ? ESCAPE '\\')${scoped ? ` AND ${scoped.sql}` : ''}
          ORDER BY rank, coalesce(name, notify, verified_name, phone) COLLATE NOCASE, jid
          LIMIT ? OFFSET ?`
      )
      .all(
        isNumber ? 1 : 0, digits, isNumber ? 1 : 0, `${like(digits)}%`, q, `${like(q)}%`,
        isNumber ? 1 : 0, `${like(digits)}%`, `%${like(q)}%`, `%${like(q)}%`, `%${like(q)}%`,
        ...(scoped?.params ?? []), limit + 1, offset
      ) as RawContact[]
    const more = rows.length > limit
    return { contacts: rows.slice(0, limit).map(toRow), next_cursor: more ? encodeCursor(['contacts', q], [offset + limit]) : null }
  }
}

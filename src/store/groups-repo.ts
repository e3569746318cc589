// Group reads: metadata, participants, and the membership matrix the audit tools work on.
import { scopeWhere } from '../access/chat-policy.js'
import type { ChatScope } from '../access/principal.js'
import { statementCache, type Db } from './open-db.js'

export interface GroupRow {
  jid: string
  subject: string | null
  description: string | null
  owner: string | null
  creation: number | null
  size: number | null
  announce: boolean | null
  restrict: boolean | null
  left: boolean
  participants: Array<{ jid: string; admin: string | null; name: string | null; phone: string | null }>
}

export interface AuditMember {
  jid: string
  lid: string | null
  name: string | null
  notify: string | null
  phone: string | null
  group_count: number
  groups: Array<{ jid: string; subject: string | null }>
  has_direct_chat: boolean
  in_contacts: boolean
}

export class GroupsRepo {
  private readonly prepare: ReturnType<typeof statementCache>

  constructor(private readonly db: Db) {
    this.prepare = statementCache(db)
  }

  /** groups whose subject is `subject`, ignoring case; at most 20 */
  bySubject(subject: string): Array<{ jid: string; name: string }> {
    return this.prepare('SELECT jid, subject AS name FROM groups WHERE subject = ? COLLATE NOCASE ORDER BY jid LIMIT 20').all(subject.trim()) as Array<{ jid: string; name: string }>
  }

  get(jid: string): GroupRow | undefined {
    const g = this.prepare('SELECT * FROM groups WHERE jid = ?').get(jid) as Record<string, unknown> | undefined
    if (!g) return undefined
    const participants = this.prepare(`SELECT p.jid, p.admin, coalesce(k.name, k.notify, k.verified_name) AS name, k.phone FROM group_participants p LEFT JOIN contacts k ON k.jid = p.jid WHERE p.group_jid = ? ORDER BY p.admin IS NULL, name COLLATE NOCASE`)
      .all(jid) as GroupRow['participants']
    return {
      jid,
      subject: g.subject as string | null,
      description: g.description as string | null,
      owner: g.owner as string | null,
      creation: g.creation as number | null,
      size: (g.size as number | null) ?? participants.length,
      announce: g.announce === null ? null : !!g.announce,
      restrict: g.restrict_info === null ? null : !!g.restrict_info,
      left: !!g.left_group,
      participants
    }
  }

  /**
   * Members of the `groupLimit` most recently active groups this account is still in, with the groups they
   * share, excluding the account itself. Sorted by group count, then name.
   */
  /** `scope`: only the groups a credential may see are counted */
  members(groupLimit: number, me: string[], scope?: ChatScope): { groups: number; members: AuditMember[] } {
    const scoped = scopeWhere(scope, 'g.jid')
    const groups = this.prepare(`SELECT g.jid, g.subject FROM groups g LEFT JOIN chats c ON c.jid = g.jid WHERE g.left_group = 0 AND EXISTS (SELECT 1 FROM group_participants p WHERE p.group_jid = g.jid)${scoped ? ` AND ${scoped.sql}` : ''} ORDER BY coalesce(c.last_message_at, 0) DESC, g.jid LIMIT ?`)
      .all(...(scoped?.params ?? []), groupLimit) as Array<{ jid: string; subject: string | null }>
    const byMember = new Map<string, AuditMember>()
    const part = this.prepare('SELECT jid FROM group_participants WHERE group_jid = ?')
    const mine = new Set(me)
    for (const g of groups) {
      for (const { jid } of part.all(g.jid) as Array<{ jid: string }>) {
        if (mine.has(jid)) continue
        let m = byMember.get(jid)
        if (!m) {
          m = { jid, lid: null, name: null, notify: null, phone: null, group_count: 0, groups: [], has_direct_chat: false, in_contacts: false }
          byMember.set(jid, m)
        }
        m.group_count++
        m.groups.push(g)
      }
    }
    const contact = this.prepare('SELECT lid, name, notify, phone, is_my_contact FROM contacts WHERE jid = ?')
    const direct = this.prepare('SELECT 1 FROM chats WHERE jid = ? AND is_group = 0 AND EXISTS (SELECT 1 FROM messages WHERE chat_jid = chats.jid)')
    for (const m of byMember.values()) {
      const c = contact.get(m.jid) as { lid: string | null; name: string | null; notify: string | null; phone: string | null; is_my_contact: number | null } | undefined
      m.lid = c?.lid ?? (m.jid.endsWith('@lid') ? m.jid : null)
      m.name = c?.name ?? null
      m.notify = c?.notify ?? null
      m.phone = c?.phone ?? (m.jid.endsWith('@s.whatsapp.net') ? m.jid.split('@')[0]! : null)
      // "in contacts" means saved in the address book, not merely seen with a push name
      m.in_contacts = !!(c?.name || c?.is_my_contact)
      m.has_direct_chat = !!direct.get(m.jid)
    }
    const members = [...byMember.values()].sort((a, b) => b.group_count - a.group_count || (a.name ?? a.notify ?? a.jid).localeCompare(b.name ?? b.notify ?? b.jid))
    return { groups: groups.length, members }
  }
}

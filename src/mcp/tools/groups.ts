import { z } from 'zod'
import { defineTool, READ_REMOTE } from '../tool.js'
import { canonicalJid, cursorInput, jidInput, limitInput, nextCursor } from '../schemas.js'
import { AppError } from '../../errors/app-error.js'
import { encodeCursor, decodeCursor } from '../../store/cursor.js'
import type { Services } from '../../app/services.js'
import type { AuditMember } from '../../store/groups-repo.js'
import type { ChatScope } from '../../access/principal.js'

const participantShape = z.object({ jid: z.string(), admin: z.string().nullable(), name: z.string().nullable(), phone: z.string().nullable() })
const groupShape = z.object({
  jid: z.string(),
  subject: z.string().nullable(),
  description: z.string().nullable(),
  owner: z.string().nullable(),
  creation: z.number().nullable(),
  size: z.number().nullable(),
  announce: z.boolean().nullable(),
  restrict: z.boolean().nullable(),
  left: z.boolean(),
  participants: z.array(participantShape)
})

export const getGroupInfo = defineTool({
  name: 'get_group_info',
  toolset: 'read',
  description: 'A group\'s subject, description, owner and participants with names: from WhatsApp when connected, else stored (source "stored").',
  input: { group_jid: jidInput('the group: its JID (123-456@g.us) or exact subject') },
  output: { group: groupShape, source: z.enum(['live', 'stored']) },
  annotations: { title: 'Get group info', readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  async run(a, { services, chats }) {
    const jid = canonicalJid(services, a.group_jid, chats)
    if (!/^[0-9-]+@g\.us$/.test(jid)) throw new AppError('WA_JID_INVALID', `"${jid}" is not a group JID.`)
    chats.read(jid)
    let source: 'live' | 'stored' = 'stored'
    if (services.wa.getStatus().state === 'open') {
      try {
        await services.wa.write('groupMetadata', jid)
        source = 'live'
      } catch (err) {
        if (err instanceof AppError && err.code === 'GROUP_NOT_FOUND') throw err
      }
    }
    const g = services.groups.get(jid)
    if (!g) throw new AppError('GROUP_NOT_FOUND', `No group ${jid}.`)
    return { group: g, source }
  }
})

const auditInput = {
  group_limit: z.number().int().min(1).max(5000).default(200).describe('groups read, most active first'),
  refresh_group_info: z.boolean().default(false).describe('ask WhatsApp for participants first'),
  limit: limitInput(100, 1000),
  cursor: cursorInput
}
const memberShape = z
  .object({ jid: z.string() })
  .catchall(z.unknown())
  .meta({ id: 'member', description: 'jid, lid, name, notify (push name), phone, group_count, groups [{jid, subject}], has_direct_chat, in_contacts' })
const auditOut = { groups_processed: z.number(), total_members: z.number(), members: z.array(memberShape), next_cursor: nextCursor }

async function matrix(s: Services, groupLimit: number, refresh: boolean, scope: ChatScope) {
  if (refresh) {
    await s.wa.waitReady(s.config.WA_SEND_READY_WAIT_MS)
    await s.wa.write('groupsParticipating')
  }
  const me = s.wa.getStatus().me
  const m = s.groups.members(groupLimit, [me?.jid, me?.lid].filter((x): x is string => !!x), scope)
  // the published member shape names its optional fields in prose, so it takes any object with the typed ones
  return m as Omit<typeof m, 'members'> & { members: Array<AuditMember & Record<string, unknown>> }
}

/** one page of an audit's members; `scope` names the audit and its filters, which its cursors are bound to */
function page(members: Array<AuditMember & Record<string, unknown>>, limit: number, cursor: string | undefined, scope: unknown[]) {
  const offset = (decodeCursor(cursor, scope, 1) as [number] | undefined)?.[0] ?? 0
  const slice = members.slice(offset, offset + limit)
  return { members: slice, next_cursor: offset + limit < members.length ? encodeCursor(scope, [offset + limit]) : null }
}

export const analyzeGroupOverlaps = defineTool({
  name: 'analyze_group_overlaps',
  toolset: 'groups',
  description: 'People in at least min_shared_groups (≥2) of your groups, most shared first (you never count).',
  input: { ...auditInput, min_shared_groups: z.number().int().min(2).max(1000).default(2) },
  output: auditOut,
  annotations: { title: 'Analyze group overlaps', ...READ_REMOTE },
  async run(a, { services, chats }) {
    const m = await matrix(services, a.group_limit, a.refresh_group_info, chats.scope)
    const hits = m.members.filter((x) => x.group_count >= a.min_shared_groups)
    return { groups_processed: m.groups, total_members: hits.length, ...page(hits, a.limit, a.cursor, ['overlaps', a.group_limit, a.min_shared_groups]) }
  }
})

export const findMembersWithoutDirectChat = defineTool({
  name: 'find_members_without_direct_chat',
  toolset: 'groups',
  description: 'Members of your groups with no 1:1 chat with you.',
  input: { ...auditInput, min_shared_groups: z.number().int().min(1).max(1000).default(1) },
  output: auditOut,
  annotations: { title: 'Find members without a direct chat', ...READ_REMOTE },
  async run(a, { services, chats }) {
    const m = await matrix(services, a.group_limit, a.refresh_group_info, chats.scope)
    const hits = m.members.filter((x) => x.group_count >= a.min_shared_groups && !x.has_direct_chat)
    return { groups_processed: m.groups, total_members: hits.length, ...page(hits, a.limit, a.cursor, ['no_direct_chat', a.group_limit, a.min_shared_groups]) }
  }
})

export const findMembersNotInContacts = defineTool({
  name: 'find_members_not_in_contacts',
  toolset: 'groups',
  description: 'Members of your groups not in your address book (a push name alone is not).',
  input: { ...auditInput, min_shared_groups: z.number().int().min(1).max(1000).default(1) },
  output: auditOut,
  annotations: { title: 'Find members not in contacts', ...READ_REMOTE },
  async run(a, { services, chats }) {
    const m = await matrix(services, a.group_limit, a.refresh_group_info, chats.scope)
    const hits = m.members.filter((x) => x.group_count >= a.min_shared_groups && !x.in_contacts)
    return { groups_processed: m.groups, total_members: hits.length, ...page(hits, a.limit, a.cursor, ['not_in_contacts', a.group_limit, a.min_shared_groups]) }
  }
})

export const runGroupAudit = defineTool({
  name: 'run_group_audit',
  toolset: 'groups',
  description: 'The three group audits in one pass, each list capped at limit (the single audits page further).',
  input: {
    group_limit: auditInput.group_limit,
    refresh_group_info: auditInput.refresh_group_info,
    limit: limitInput(100, 1000),
    overlap_min_shared_groups: z.number().int().min(2).max(1000).default(2),
    min_shared_groups: z.number().int().min(1).max(1000).default(1)
  },
  output: {
    summary: z.object({ groups_processed: z.number(), total_members: z.number(), overlap_count: z.number(), without_direct_chat_count: z.number(), not_in_contacts_count: z.number() }),
    overlaps: z.array(memberShape),
    without_direct_chat: z.array(memberShape),
    not_in_contacts: z.array(memberShape)
  },
  annotations: { title: 'Run a group audit', ...READ_REMOTE },
  async run(a, { services, chats }) {
    const m = await matrix(services, a.group_limit, a.refresh_group_info, chats.scope)
    const overlaps = m.members.filter((x) => x.group_count >= a.overlap_min_shared_groups)
    const noDirect = m.members.filter((x) => x.group_count >= a.min_shared_groups && !x.has_direct_chat)
    const notSaved = m.members.filter((x) => x.group_count >= a.min_shared_groups && !x.in_contacts)
    return {
      summary: { groups_processed: m.groups, total_members: m.members.length, overlap_count: overlaps.length, without_direct_chat_count: noDirect.length, not_in_contacts_count: notSaved.length },
      overlaps: overlaps.slice(0, a.limit),
      without_direct_chat: noDirect.slice(0, a.limit),
      not_in_contacts: notSaved.slice(0, a.limit)
    }
  }
})

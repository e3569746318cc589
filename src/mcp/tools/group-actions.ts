// Making and running groups: create one, add and remove people, change the settings, share or revoke the
// invite link, join by a link (looking first), leave, and let in (or turn away) those who asked to join.
// Each answers once what it changed is in the store; every member hears of it from WhatsApp (w:gp2).
import { z } from 'zod'
import { defineTool } from '../tool.js'
import { canonicalJid, jidInput } from '../schemas.js'
import { AppError } from '../../errors/app-error.js'
import type { Services } from '../../app/services.js'
import type { GroupParticipantAction, GroupParticipantResult } from '../../wa/worker-api.js'
import { INVITE_LINK_BASE, inviteCodeOf, participantOutcome } from './group-outcome.js'
import { approved } from '../../approvals/gate-call.js'

const groupInput = jidInput('the group, 1203...@g.us')
const peopleInput = (max: number) => z.array(jidInput('a JID or a phone number')).min(1).max(max)
const inviteIfNeeded = z.boolean().default(false).describe('send a group invite message to whoever only accepts invites')
const resultShape = z.object({ jid: z.string(), status: z.string().describe('added|removed|promoted|demoted|not_on_whatsapp|needs_invite|invite_sent|already_member|not_member|left_recently|failed'), code: z.number().optional().describe('WhatsApp\'s, when not done') })
const settingsShape = z.object({ jid: z.string(), subject: z.string(), size: z.number() }).catchall(z.unknown()).describe('also description, only_admins_send, only_admins_edit when set')

const DISAPPEARING = { off: 0, '24h': 86_400, '7d': 604_800, '90d': 7_776_000 } as const

function groupJid(input: string): string {
  const jid = input.trim()
  if (!/^[0-9-]+@g\.us$/.test(jid)) throw new AppError('WA_JID_INVALID', `"${jid}" is not a group JID.`)
  return jid
}

const ready = (s: Services) => s.wa.waitReady(s.config.WA_SEND_READY_WAIT_MS)
const results = (action: GroupParticipantAction, rs: GroupParticipantResult[]) =>
  rs.map((r) => {
    const status = participantOutcome(action, r)
    return { jid: r.jid, status, ...(r.status !== 200 ? { code: r.status } : {}) }
  })

/** the stored group's settings, what has nothing to say left out */
function settingsOf(s: Services, jid: string): { jid: string; subject: string; size: number; [k: string]: unknown } {
  const g = s.groups.get(jid)
  if (!g) throw new AppError('GROUP_NOT_FOUND', `No group ${jid}.`)
  return { jid, subject: g.subject ?? '', size: g.size ?? g.participants.length, ...(g.description ? { description: g.description } : {}), ...(g.announce ? { only_admins_send: true } : {}), ...(g.restrict ? { only_admins_edit: true } : {}) }
}

export const createGroup = defineTool({
  name: 'create_group',
  toolset: 'groups',
  description: 'Creates a group with this account as admin and adds the people given, with a result for each.',
  input: { subject: z.string().trim().min(1).max(100), participants: z.array(jidInput('a JID or a phone number')).max(256).default([]), invite_if_needed: inviteIfNeeded },
  output: { group: settingsShape, results: z.array(resultShape) },
  annotations: { title: 'Create a group', readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async run(a, ctx) {
    const { services: s } = ctx
    const people = a.participants.map((p) => canonicalJid(s, p))
    a = await approved(ctx, 'create_group', '', a)
    await ready(s)
    const r = await s.wa.write('groupCreate', { subject: a.subject, participants: people, inviteIfNeeded: a.invite_if_needed })
    return { group: settingsOf(s, r.group.jid), results: results('add', r.results) }
  }
})

export const updateGroupParticipants = defineTool({
  name: 'update_group_participants',
  toolset: 'groups',
  description: 'Adds, removes, promotes to admin or demotes people in a group this account administers; a result per person.',
  input: { group_jid: groupInput, action: z.enum(['add', 'remove', 'promote', 'demote']), participants: peopleInput(50), invite_if_needed: inviteIfNeeded },
  output: { group_jid: z.string(), action: z.string(), results: z.array(resultShape) },
  annotations: { title: 'Change group members', readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  async run(a, ctx) {
    const { services: s, chats } = ctx
    const jid = chats.write(groupJid(a.group_jid))
    const people = a.participants.map((p) => canonicalJid(s, p))
    a = await approved(ctx, 'update_group_participants', jid, a)
    await ready(s)
    const r = await s.wa.write('groupParticipants', { groupJid: jid, action: a.action, participants: people, inviteIfNeeded: a.invite_if_needed })
    return { group_jid: jid, action: a.action, results: results(a.action, r.results) }
  }
})

export const updateGroup = defineTool({
  name: 'update_group',
  toolset: 'groups',
  description: 'Changes what is given of a group\'s subject, description ("" removes it), who may send or edit the info, disappearing messages, join approval, whether members may add others.',
  input: {
    group_jid: groupInput,
    subject: z.string().trim().min(1).max(100).optional(),
    description: z.string().max(2048).optional(),
    only_admins_send: z.boolean().optional(),
    only_admins_edit: z.boolean().optional(),
    disappearing: z.enum(['off', '24h', '7d', '90d']).optional(),
    join_approval: z.boolean().optional().describe('joining by link waits for an admin'),
    members_can_add: z.boolean().optional()
  },
  output: { group: settingsShape },
  annotations: { title: 'Change group settings', readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  async run(a, ctx) {
    const { services: s, chats } = ctx
    const jid = chats.write(groupJid(a.group_jid))
    const { group_jid: _, disappearing, ...rest } = a
    if (!Object.values(rest).some((v) => v !== undefined) && disappearing === undefined) throw new AppError('INVALID_INPUT', 'Give at least one setting to change.')
    a = await approved(ctx, 'update_group', jid, a)
    await ready(s)
    await s.wa.write('groupUpdate', {
      groupJid: jid,
      subject: a.subject,
      description: a.description,
      announce: a.only_admins_send,
      restrict: a.only_admins_edit,
      ephemeralSeconds: disappearing === undefined ? undefined : DISAPPEARING[disappearing],
      joinApproval: a.join_approval,
      membersCanAdd: a.members_can_add
    })
    return { group: settingsOf(s, jid) }
  }
})

export const getGroupInviteLink = defineTool({
  name: 'get_group_invite_link',
  toolset: 'groups',
  description: 'The group\'s invite link (admins only). revoke: true makes a new one; the old link stops working.',
  input: { group_jid: groupInput, revoke: z.boolean().default(false) },
  output: { group_jid: z.string(), link: z.string(), code: z.string(), revoked: z.boolean() },
  annotations: { title: 'Get or revoke the invite link', readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  async run(a, ctx) {
    const { services: s, chats } = ctx
    const jid = chats.write(groupJid(a.group_jid))
    if (a.revoke) a = await approved(ctx, 'get_group_invite_link', jid, a)
    await ready(s)
    const code = await s.wa.call('groupInviteCode', { groupJid: jid, revoke: a.revoke })
    return { group_jid: jid, link: `${INVITE_LINK_BASE}${code}`, code, revoked: a.revoke }
  }
})

export const joinGroup = defineTool({
  name: 'join_group',
  toolset: 'groups',
  description: 'Joins a group by invite link or code; preview: true only shows the group (look first). A group that approves joins answers pending_approval.',
  input: { invite: z.string().trim().min(10).max(200).describe('https://chat.whatsapp.com/... or the code'), preview: z.boolean().default(false) },
  output: { group_jid: z.string(), subject: z.string(), size: z.number(), description: z.string().optional(), join_approval: z.boolean(), joined: z.boolean(), pending_approval: z.boolean() },
  annotations: { title: 'Join a group', readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  async run(a, ctx) {
    const { services: s, chats } = ctx
    const code = inviteCodeOf(a.invite)
    if (!code) throw new AppError('INVALID_INPUT', 'invite must be a https://chat.whatsapp.com/ link or its code.')
    await ready(s)
    const p = await s.wa.call('groupInvitePreview', code)
    // the group the link leads to must be one this caller may act on
    chats.write(p.jid)
    const shown = { group_jid: p.jid, subject: p.subject, size: p.size, ...(p.description ? { description: p.description } : {}), join_approval: p.joinApproval }
    if (a.preview) return { ...shown, joined: false, pending_approval: false }
    a = await approved(ctx, 'join_group', p.jid, a)
    const r = await s.wa.write('groupJoin', code)
    return { ...shown, group_jid: r.groupJid, joined: !r.pending, pending_approval: r.pending }
  }
})

export const leaveGroup = defineTool({
  name: 'leave_group',
  toolset: 'groups',
  description: 'Leaves a group; its messages stay in the store.',
  input: { group_jid: groupInput },
  output: { success: z.literal(true), group_jid: z.string() },
  annotations: { title: 'Leave a group', readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  async run(a, ctx) {
    const { services: s, chats } = ctx
    const jid = chats.write(groupJid(a.group_jid))
    a = await approved(ctx, 'leave_group', jid, a)
    await ready(s)
    await s.wa.write('groupLeave', jid)
    return { success: true as const, group_jid: jid }
  }
})

export const groupJoinRequests = defineTool({
  name: 'group_join_requests',
  toolset: 'groups',
  description: 'The people waiting to join a group that approves joins (admins only); approve or reject some first.',
  input: { group_jid: groupInput, approve: z.array(jidInput('a JID or a phone number')).max(50).default([]), reject: z.array(jidInput('a JID or a phone number')).max(50).default([]) },
  output: {
    group_jid: z.string(),
    requests: z.array(z.object({ jid: z.string(), requested_at: z.number().optional(), method: z.string().optional() })),
    results: z.array(z.object({ jid: z.string(), status: z.enum(['approved', 'rejected', 'no_request', 'failed']) }))
  },
  annotations: { title: 'Group join requests', readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  async run(a, ctx) {
    const { services: s, chats } = ctx
    const jid = chats.write(groupJid(a.group_jid))
    const approve = a.approve.map((p) => canonicalJid(s, p))
    const reject = a.reject.map((p) => canonicalJid(s, p))
    if (approve.some((j) => reject.includes(j))) throw new AppError('INVALID_INPUT', 'Nobody can be both approved and rejected.')
    if (approve.length || reject.length) a = await approved(ctx, 'group_join_requests', jid, a)
    await ready(s)
    const r = await s.wa.write('groupJoinRequests', { groupJid: jid, approve, reject })
    return {
      group_jid: jid,
      requests: r.requests.map((q) => ({ jid: q.jid, ...(q.requestedAt ? { requested_at: q.requestedAt } : {}), ...(q.method ? { method: q.method } : {}) })),
      results: r.results.map((x) => ({ jid: x.jid, status: x.status === 200 ? (x.action === 'approve' ? ('approved' as const) : ('rejected' as const)) : x.status === 404 ? ('no_request' as const) : ('failed' as const) }))
    }
  }
})

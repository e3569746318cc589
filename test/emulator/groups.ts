// Groups on the emulated server: the `w:g2` iqs a client sends (create, leave, participants, subject,
// description, settings, invite codes, joining by link, the join-request queue) and the `w:gp2`
// notification each change sends every member, as WhatsApp answers them. Admin rules as WhatsApp keeps
// them: a change a member may not make is 401 not-authorized, a non-member gets 403, an unknown group 404.
import { randomBytes } from 'node:crypto'
import { getBinaryNodeChild, getBinaryNodeChildren, getBinaryNodeChildString, type BinaryNode } from '@whiskeysockets/baileys'
import type { Connection } from './connection.js'
import { lidJid, pnJid, now, type Account, type Directory, type Group } from './state.js'

/** how long an invite made for someone who may only be invited (add_request) stays valid */
const ADD_REQUEST_TTL_S = 3 * 24 * 3600

export interface GroupContext {
  dir: Directory
  /** the `w:gp2` notification to every member (and the actor, and `extra`: people the change put out) */
  notifyGroup(group: Group, action: BinaryNode, actor: Account, extra?: Account[]): void
}

const result = (iq: BinaryNode, content?: BinaryNode[]): BinaryNode => ({ tag: 'iq', attrs: { from: iq.attrs.to ?? '@g.us', type: 'result', id: iq.attrs.id! }, ...(content ? { content } : {}) })
const iqError = (iq: BinaryNode, code: number, text: string): BinaryNode => ({ tag: 'iq', attrs: { from: iq.attrs.to ?? '@g.us', type: 'error', id: iq.attrs.id! }, content: [{ tag: 'error', attrs: { code: String(code), text } }] })
const participantNode = (acc: Account, admin?: string): BinaryNode => ({ tag: 'participant', attrs: { jid: lidJid(acc), phone_number: pnJid(acc), ...(admin ? { type: admin } : {}) } })
const newCode = (): string => randomBytes(16).toString('base64url').slice(0, 22)

/** the group as a `<group>` node; `preview` is what an invite link shows: no participant list */
export function groupNode(g: Group, preview = false): BinaryNode {
  return {
    tag: 'group',
    attrs: {
      id: g.id.split('@')[0]!,
      subject: g.subject,
      s_t: String(g.t),
      s_o: lidJid(g.owner),
      s_o_pn: pnJid(g.owner),
      creation: String(g.t),
      creator: lidJid(g.owner),
      creator_pn: pnJid(g.owner),
      addressing_mode: 'lid',
      size: String(g.participants.length)
    },
    content: [
      ...(g.description ? [{ tag: 'description', attrs: { id: g.descId ?? 'D1', t: String(g.t) }, content: [{ tag: 'body', attrs: {}, content: Buffer.from(g.description) }] }] : []),
      ...(g.announce ? [{ tag: 'announcement', attrs: {} }] : []),
      ...(g.restrict ? [{ tag: 'locked', attrs: {} }] : []),
      ...(g.ephemeral ? [{ tag: 'ephemeral', attrs: { expiration: String(g.ephemeral) } }] : []),
      ...(g.joinApproval ? [{ tag: 'membership_approval_mode', attrs: {}, content: [{ tag: 'group_join', attrs: { state: 'on' } }] }] : []),
      ...(g.memberAddMode ? [{ tag: 'member_add_mode', attrs: {}, content: Buffer.from(g.memberAddMode) }] : []),
      ...(preview ? [] : g.participants.map((p) => participantNode(p.acc, p.admin)))
    ]
  }
}

/** `fixedId`: a group JID chosen by the caller (the demo's, so a second run finds the same groups) */
export function createGroup(dir: Directory, subject: string, owner: Account, members: Account[], fixedId?: string): Group {
  const id = fixedId ?? `${120363000000000000n + BigInt(Math.floor(Math.random() * 1e12))}@g.us`
  const g: Group = { id, subject, owner, t: now(), participants: [{ acc: owner, admin: 'superadmin' }, ...members.filter((m) => m !== owner).map((acc) => ({ acc }))], inviteCode: newCode(), requests: [] }
  dir.groups.set(id, g)
  return g
}

/** someone opens an invite link: in at once, or into the join-request queue when admins approve joins */
export function joinByInvite(ctx: GroupContext, acc: Account, code: string): { group: Group; joined: boolean } | undefined {
  const g = [...ctx.dir.groups.values()].find((x) => x.inviteCode === code)
  if (!g) return undefined
  if (g.participants.some((p) => p.acc === acc)) return { group: g, joined: true }
  if (g.joinApproval) {
    if (!g.requests.some((r) => r.acc === acc)) g.requests.push({ acc, t: now() })
    ctx.notifyGroup(g, { tag: 'created_membership_requests', attrs: { request_method: 'invite_link' }, content: [participantNode(acc)] }, acc)
    return { group: g, joined: false }
  }
  g.participants.push({ acc })
  ctx.notifyGroup(g, { tag: 'add', attrs: { reason: 'invite' }, content: [participantNode(acc)] }, acc)
  return { group: g, joined: true }
}

function globalIq(ctx: GroupContext, me: Account, iq: BinaryNode, child: BinaryNode | undefined): BinaryNode {
  const tag = child?.tag ?? ''
  if (tag === 'participating') {
    const mine = [...ctx.dir.groups.values()].filter((g) => g.participants.some((p) => p.acc === me))
    return result(iq, [{ tag: 'groups', attrs: {}, content: mine.map((g) => groupNode(g)) }])
  }
  if (tag === 'create') {
    const members = getBinaryNodeChildren(child, 'participant').map((p) => ctx.dir.resolve(p.attrs.jid).acc).filter((a): a is Account => !!a)
    const g = createGroup(ctx.dir, child!.attrs.subject ?? '', me, members)
    ctx.notifyGroup(g, { tag: 'create', attrs: {}, content: [groupNode(g)] }, me)
    return result(iq, [groupNode(g)])
  }
  if (tag === 'leave') {
    const left: BinaryNode[] = []
    for (const gn of getBinaryNodeChildren(child, 'group')) {
      const g = ctx.dir.groups.get(gn.attrs.id!.includes('@') ? gn.attrs.id! : `${gn.attrs.id}@g.us`)
      if (!g || !g.participants.some((p) => p.acc === me)) continue
      g.participants = g.participants.filter((p) => p.acc !== me)
      ctx.notifyGroup(g, { tag: 'leave', attrs: {}, content: [participantNode(me)] }, me)
      left.push({ tag: 'group', attrs: { id: g.id } })
    }
    return result(iq, [{ tag: 'leave', attrs: {}, content: left }])
  }
  if (tag === 'invite') {
    const code = child!.attrs.code ?? ''
    const g = [...ctx.dir.groups.values()].find((x) => x.inviteCode === code)
    if (!g) return iqError(iq, 406, 'not-acceptable')
    if (iq.attrs.type === 'get') return result(iq, [groupNode(g, true)])
    const joined = joinByInvite(ctx, me, code)!
    return result(iq, [joined.joined ? { tag: 'group', attrs: { jid: g.id } } : { tag: 'membership_approval_request', attrs: { jid: g.id } }])
  }
  return result(iq)
}

/** the answer to a `w:g2` iq; every one gets an answer */
export function groupIq(ctx: GroupContext, conn: Connection, iq: BinaryNode, child: BinaryNode | undefined): BinaryNode {
  const me = conn.acc!
  const to = iq.attrs.to ?? ''
  if (to === '@g.us') return globalIq(ctx, me, iq, child)
  const g = ctx.dir.groups.get(to)
  if (!g) return iqError(iq, 404, 'item-not-found')
  const mine = g.participants.find((p) => p.acc === me)
  if (!mine) return iqError(iq, 403, 'forbidden')
  const tag = child?.tag ?? ''
  if (tag === 'query') return result(iq, [groupNode(g)])
  // WhatsApp's defaults: every member edits the subject, description and disappearing messages unless the
  // group is locked; members add others only in all_member_add mode; the rest is for admins
  const membersMayAdd = tag === 'add' && g.memberAddMode === 'all_member_add'
  const membersMayEdit = !g.restrict && ['subject', 'description', 'ephemeral', 'not_ephemeral'].includes(tag)
  if (!mine.admin && !membersMayAdd && !membersMayEdit) return iqError(iq, 401, 'not-authorized')
  const notify = (action: BinaryNode, extra?: Account[]) => ctx.notifyGroup(g, action, me, extra)
  switch (tag) {
    case 'subject':
      g.subject = Buffer.from((child!.content as Uint8Array | undefined) ?? []).toString()
      notify({ tag: 'subject', attrs: { subject: g.subject, s_o: lidJid(me), s_t: String(now()) } })
      return result(iq)
    case 'description': {
      if (child!.attrs.prev && child!.attrs.prev !== g.descId) return iqError(iq, 409, 'conflict')
      const body = child!.attrs.delete === 'true' ? undefined : (getBinaryNodeChildString(child, 'body') ?? undefined)
      g.description = body
      g.descId = body ? (child!.attrs.id ?? newCode()) : undefined
      notify({ tag: 'description', attrs: { id: g.descId ?? '' }, content: body ? [{ tag: 'body', attrs: {}, content: Buffer.from(body) }] : [{ tag: 'delete', attrs: {} }] })
      return result(iq)
    }
    case 'announcement':
    case 'not_announcement':
      g.announce = tag === 'announcement'
      notify({ tag, attrs: {} })
      return result(iq)
    case 'locked':
    case 'unlocked':
      g.restrict = tag === 'locked'
      notify({ tag, attrs: {} })
      return result(iq)
    case 'ephemeral':
    case 'not_ephemeral':
      g.ephemeral = tag === 'ephemeral' ? Number(child!.attrs.expiration ?? 0) : 0
      notify({ tag, attrs: tag === 'ephemeral' ? { expiration: String(g.ephemeral) } : {} })
      return result(iq)
    case 'member_add_mode':
      g.memberAddMode = Buffer.from((child!.content as Uint8Array | undefined) ?? []).toString() === 'all_member_add' ? 'all_member_add' : 'admin_add'
      notify({ tag, attrs: {}, content: Buffer.from(g.memberAddMode) })
      return result(iq)
    case 'membership_approval_mode':
      g.joinApproval = getBinaryNodeChild(child, 'group_join')?.attrs.state === 'on'
      notify({ tag, attrs: {}, content: [{ tag: 'group_join', attrs: { state: g.joinApproval ? 'on' : 'off' } }] })
      return result(iq)
    case 'invite':
      if (iq.attrs.type === 'set') {
        g.inviteCode = newCode()
        notify({ tag: 'invite', attrs: { code: g.inviteCode } })
      }
      return result(iq, [{ tag: 'invite', attrs: { code: g.inviteCode } }])
    case 'membership_approval_requests':
      return result(iq, [{ tag: 'membership_approval_requests', attrs: {}, content: g.requests.map((r) => ({ tag: 'membership_approval_request', attrs: { jid: lidJid(r.acc), phone_number: pnJid(r.acc), request_method: 'invite_link', request_time: String(r.t) } })) }])
    case 'membership_requests_action':
      return requestsAction(ctx, g, me, iq, child!)
    case 'add':
    case 'remove':
    case 'promote':
    case 'demote':
      return participantsIq(ctx, g, me, iq, tag, child!)
    default:
      return result(iq)
  }
}

function participantsIq(ctx: GroupContext, g: Group, me: Account, iq: BinaryNode, tag: 'add' | 'remove' | 'promote' | 'demote', child: BinaryNode): BinaryNode {
  const out: BinaryNode[] = []
  const changed: Account[] = []
  for (const pn of getBinaryNodeChildren(child, 'participant')) {
    const acc = ctx.dir.resolve(pn.attrs.jid).acc
    const p = acc ? g.participants.find((x) => x.acc === acc) : undefined
    if (!acc) {
      out.push({ tag: 'participant', attrs: { jid: pn.attrs.jid!, error: tag === 'add' ? '400' : '404' } })
      continue
    }
    if (tag === 'add') {
      if (p) {
        out.push({ ...participantNode(acc), attrs: { ...participantNode(acc).attrs, error: '409' } })
        continue
      }
      if (acc.groupAdd === 'invite') {
        const addRequest = { tag: 'add_request', attrs: { code: newCode(), expiration: String(now() + ADD_REQUEST_TTL_S) } }
        out.push({ tag: 'participant', attrs: { ...participantNode(acc).attrs, error: '403' }, content: [addRequest] })
        continue
      }
      g.participants.push({ acc })
    } else if (!p) {
      out.push({ tag: 'participant', attrs: { ...participantNode(acc).attrs, error: '404' } })
      continue
    } else if (tag === 'remove') g.participants = g.participants.filter((x) => x !== p)
    else if (tag === 'promote') p.admin = 'admin'
    else delete p.admin
    changed.push(acc)
    out.push(participantNode(acc))
  }
  if (changed.length) ctx.notifyGroup(g, { tag, attrs: {}, content: changed.map((a) => participantNode(a)) }, me, tag === 'remove' ? changed : [])
  return result(iq, [{ tag, attrs: {}, content: out }])
}

function requestsAction(ctx: GroupContext, g: Group, me: Account, iq: BinaryNode, child: BinaryNode): BinaryNode {
  const act = Array.isArray(child.content) ? child.content[0] : undefined
  const approve = act?.tag === 'approve'
  const out: BinaryNode[] = []
  const admitted: Account[] = []
  for (const pn of getBinaryNodeChildren(act, 'participant')) {
    const acc = ctx.dir.resolve(pn.attrs.jid).acc
    const i = acc ? g.requests.findIndex((r) => r.acc === acc) : -1
    if (!acc || i < 0) {
      out.push({ tag: 'participant', attrs: { jid: pn.attrs.jid!, error: '404' } })
      continue
    }
    g.requests.splice(i, 1)
    if (approve) {
      g.participants.push({ acc })
      admitted.push(acc)
    }
    out.push({ tag: 'participant', attrs: { jid: pn.attrs.jid! } })
  }
  if (admitted.length) ctx.notifyGroup(g, { tag: 'add', attrs: { reason: 'approval' }, content: admitted.map((a) => participantNode(a)) }, me)
  return result(iq, [{ tag: 'membership_requests_action', attrs: {}, content: [{ tag: act?.tag ?? 'approve', attrs: {}, content: out }] }])
}

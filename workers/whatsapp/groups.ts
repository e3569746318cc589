// Groups: what the account learns of them (metadata, every group it is in) and what it does to them.
// Group sends need the participants; Baileys takes them from the store (cachedGroupMetadata).
import { generateWAMessageFromContent, getBinaryNodeChild, jidNormalizedUser, type BinaryNode, type GroupMetadata, type WASocket } from '@whiskeysockets/baileys'
import { AppError } from '../../src/errors/app-error.js'
import type { GroupRecord } from '../../src/store/batch.js'
import type { GroupInvitePreview, GroupJoinRequest, GroupParticipantAction, GroupParticipantResult, GroupSettings, Written } from '../../src/wa/worker-api.js'
import { statusCodeOf, type WaHost } from './host.js'
import { groupRecord } from './normalize.js'
import type { StoreReader } from './store-reader.js'

/** what a failed group iq means: an unknown group, one we are not in, one we do not administer */
function groupError(err: unknown, jid: string): AppError {
  if (err instanceof AppError) return err
  const code = statusCodeOf(err)
  if (code === 404 || code === 403) return new AppError('GROUP_NOT_FOUND', `No group ${jid} that this account is in.`)
  if (code === 401) return new AppError('GROUP_NOT_ADMIN', `This account is not an admin of ${jid}.`)
  return new AppError('WA_QUERY_FAILED', (err as Error).message)
}

export class Groups {
  constructor(private readonly host: WaHost, private readonly reader: StoreReader) {}

  /** the stored group with its participants, as Baileys wants it for a group send; undefined asks WhatsApp */
  cached(jid: string): GroupMetadata | undefined {
    const db = this.reader.db()
    const g = db?.prepare('SELECT jid, subject, owner, creation, description, announce, restrict_info FROM groups WHERE jid = ? AND left_group = 0').get(jid) as
      | { jid: string; subject: string | null; owner: string | null; creation: number | null; description: string | null; announce: number | null; restrict_info: number | null }
      | undefined
    if (!g) return undefined
    const parts = db!.prepare(`SELECT p.jid, p.admin, c.lid FROM group_participants p LEFT JOIN contacts c ON c.jid = p.jid WHERE p.group_jid = ?`).all(jid) as Array<{ jid: string; admin: string | null; lid: string | null }>
    if (!parts.length) return undefined
    return {
      id: g.jid,
      subject: g.subject ?? '',
      owner: g.owner ?? undefined,
      creation: g.creation ? Math.floor(g.creation / 1000) : undefined,
      desc: g.description ?? undefined,
      announce: g.announce === null ? undefined : !!g.announce,
      restrict: g.restrict_info === null ? undefined : !!g.restrict_info,
      participants: parts.map((p) => ({ id: p.lid ?? p.jid, ...(p.lid ? { phoneNumber: p.jid } : {}), admin: (p.admin as 'admin' | 'superadmin' | null) ?? null }))
    } as GroupMetadata
  }

  /** every group with its participants, so audits and group sends never depend on an earlier lookup */
  afterOpen(sock: WASocket): void {
    void sock
      .groupFetchAllParticipating()
      .then((all) => this.host.store({ groups: Object.values(all).map((g) => groupRecord(g)!).filter(Boolean) }))
      .catch((err: unknown) => this.host.log.debug({ err }, 'fetching the groups after connecting failed'))
  }

  /** GROUP_NOT_FOUND when the account is not in it; WA_QUERY_FAILED otherwise */
  async metadata(jid: string): Promise<Written<{ group: GroupRecord }>> {
    const sock = this.host.ready()
    try {
      const meta = await sock.groupMetadata(jid)
      // the whole metadata: a description it lacks is none (in a partial update it would be unchanged)
      const g = { ...groupRecord(meta)!, description: meta.desc ?? null }
      return { group: g, seq: this.host.store({ groups: [g] }) }
    } catch (err) {
      throw groupError(err, jid)
    }
  }

  async participating(): Promise<Written<{ groups: GroupRecord[] }>> {
    const sock = this.host.ready()
    const all = Object.values(await sock.groupFetchAllParticipating()).map((g) => groupRecord(g)!)
    return { groups: all, seq: this.host.store({ groups: all }) }
  }

  /** a group with only this account in it, then each person added with a result of their own */
  async create(req: { subject: string; participants: string[]; inviteIfNeeded: boolean }): Promise<Written<{ group: GroupRecord; results: GroupParticipantResult[] }>> {
    const sock = this.host.ready()
    let created: GroupMetadata
    try {
      // WhatsApp's create answers without saying why someone was left out: adding them afterwards does
      created = await sock.groupCreate(req.subject, [])
    } catch (err) {
      throw new AppError('WA_QUERY_FAILED', `Creating the group failed: ${(err as Error).message}`)
    }
    const { results } = req.participants.length ? await this.participants({ groupJid: created.id, action: 'add', participants: req.participants, inviteIfNeeded: req.inviteIfNeeded }) : { results: [] }
    const { group, seq } = await this.metadata(created.id)
    return { group, results, seq }
  }

  async participants(req: { groupJid: string; action: GroupParticipantAction; participants: string[]; inviteIfNeeded: boolean }): Promise<Written<{ results: GroupParticipantResult[] }>> {
    const sock = this.host.ready()
    let raw: Array<{ status: string; jid?: string; content?: BinaryNode }>
    try {
      raw = await sock.groupParticipantsUpdate(req.groupJid, req.participants, req.action)
    } catch (err) {
      throw groupError(err, req.groupJid)
    }
    const results: GroupParticipantResult[] = req.participants.map((asked, i) => {
      // WhatsApp names each person by their LID when it knows them, with the phone number beside it
      const r = raw.find((x) => x.jid === asked || (x.content?.attrs.phone_number && jidNormalizedUser(x.content.attrs.phone_number) === asked)) ?? raw[i]
      const addRequest = r?.content ? getBinaryNodeChild(r.content, 'add_request') : undefined
      const phone = r?.content?.attrs.phone_number
      return {
        jid: phone ? jidNormalizedUser(phone) : asked,
        status: Number(r?.status ?? 500),
        ...(addRequest?.attrs.code ? { inviteCode: addRequest.attrs.code, inviteExpiration: Number(addRequest.attrs.expiration ?? 0) * 1000 } : {})
      }
    })
    if (req.inviteIfNeeded) await this.invite(sock, req.groupJid, results)
    // the stored members follow WhatsApp's answer at once; the w:gp2 notification that follows logs the change
    const { seq } = await this.metadata(req.groupJid)
    return { results, seq }
  }

  /** a group invite message to each person who may only be invited */
  private async invite(sock: WASocket, groupJid: string, results: GroupParticipantResult[]): Promise<void> {
    const subject = this.cached(groupJid)?.subject ?? ''
    for (const r of results) {
      if (!r.inviteCode) continue
      try {
        // built by hand: Baileys' groupInvite content asks for the group's picture and fails when it has none
        const msg = generateWAMessageFromContent(r.jid, { groupInviteMessage: { groupJid, inviteCode: r.inviteCode, inviteExpiration: Math.floor((r.inviteExpiration ?? 0) / 1000), groupName: subject } }, { userJid: sock.user!.id })
        await sock.relayMessage(r.jid, msg.message!, { messageId: msg.key.id! })
        await this.host.sent(msg)
        r.invited = true
      } catch (err) {
        this.host.log.info({ err, to: r.jid }, 'the group invite message failed')
      }
    }
  }

  /** applies each setting given, in turn; GROUP_NOT_ADMIN when the account may not change them */
  async update(req: { groupJid: string } & GroupSettings): Promise<Written<{ group: GroupRecord }>> {
    const sock = this.host.ready()
    const jid = req.groupJid
    try {
      if (req.subject !== undefined) await sock.groupUpdateSubject(jid, req.subject)
      if (req.description !== undefined) await sock.groupUpdateDescription(jid, req.description || undefined)
      if (req.announce !== undefined) await sock.groupSettingUpdate(jid, req.announce ? 'announcement' : 'not_announcement')
      if (req.restrict !== undefined) await sock.groupSettingUpdate(jid, req.restrict ? 'locked' : 'unlocked')
      if (req.ephemeralSeconds !== undefined) await sock.groupToggleEphemeral(jid, req.ephemeralSeconds)
      if (req.joinApproval !== undefined) await sock.groupJoinApprovalMode(jid, req.joinApproval ? 'on' : 'off')
      if (req.membersCanAdd !== undefined) await sock.groupMemberAddMode(jid, req.membersCanAdd ? 'all_member_add' : 'admin_add')
    } catch (err) {
      throw groupError(err, jid)
    }
    return this.metadata(jid)
  }

  async inviteCode(req: { groupJid: string; revoke: boolean }): Promise<string> {
    const sock = this.host.ready()
    try {
      const code = req.revoke ? await sock.groupRevokeInvite(req.groupJid) : await sock.groupInviteCode(req.groupJid)
      if (!code) throw new AppError('WA_QUERY_FAILED', 'WhatsApp gave no invite code.')
      return code
    } catch (err) {
      throw groupError(err, req.groupJid)
    }
  }

  /** GROUP_INVITE_INVALID when WhatsApp knows no group by this code */
  async invitePreview(code: string): Promise<GroupInvitePreview> {
    const sock = this.host.ready()
    let g: GroupMetadata
    try {
      g = await sock.groupGetInviteInfo(code)
    } catch (err) {
      throw inviteError(err)
    }
    return { jid: g.id, subject: g.subject, size: g.size ?? g.participants.length, owner: g.ownerPn ?? g.owner, description: g.desc, creation: g.creation ? g.creation * 1000 : undefined, joinApproval: !!g.joinApprovalMode }
  }

  async join(code: string): Promise<Written<{ groupJid: string; pending: boolean }>> {
    const sock = this.host.ready()
    const preview = await this.invitePreview(code)
    let joined: string | undefined
    try {
      // WhatsApp names the group when the account is in; a group that approves joins answers with the request
      joined = await sock.groupAcceptInvite(code)
    } catch (err) {
      throw inviteError(err)
    }
    if (!joined) return { groupJid: preview.jid, pending: true, seq: this.host.seq() }
    const { seq } = await this.metadata(joined)
    return { groupJid: joined, pending: false, seq }
  }

  async leave(groupJid: string): Promise<Written> {
    const sock = this.host.ready()
    try {
      await sock.groupLeave(groupJid)
    } catch (err) {
      throw groupError(err, groupJid)
    }
    return { seq: this.host.store({ groups: [{ jid: groupJid, left: true }] }) }
  }

  async joinRequests(req: { groupJid: string; approve: string[]; reject: string[] }): Promise<Written<{ requests: GroupJoinRequest[]; results: Array<{ jid: string; status: number; action: 'approve' | 'reject' }> }>> {
    const sock = this.host.ready()
    const results: Array<{ jid: string; status: number; action: 'approve' | 'reject' }> = []
    try {
      for (const action of ['approve', 'reject'] as const) {
        const people = action === 'approve' ? req.approve : req.reject
        if (!people.length) continue
        const r = await sock.groupRequestParticipantsUpdate(req.groupJid, people, action)
        people.forEach((jid, i) => results.push({ jid, status: Number(r[i]?.status ?? 500), action }))
      }
      const queue = (await sock.groupRequestParticipantsList(req.groupJid)) as Array<Record<string, string>>
      const requests = queue.map((q) => ({ jid: jidNormalizedUser(q.phone_number ?? q.jid ?? ''), requestedAt: q.request_time ? Number(q.request_time) * 1000 : undefined, method: q.request_method }))
      const seq = results.some((r) => r.action === 'approve' && r.status === 200) ? (await this.metadata(req.groupJid)).seq : this.host.seq()
      return { requests, results, seq }
    } catch (err) {
      throw groupError(err, req.groupJid)
    }
  }
}

function inviteError(err: unknown): AppError {
  if (err instanceof AppError) return err
  const code = statusCodeOf(err)
  if (code === 406 || code === 404 || code === 410 || code === 400) return new AppError('GROUP_INVITE_INVALID', 'No group has this invite code; it may have been revoked.')
  return new AppError('WA_QUERY_FAILED', (err as Error).message)
}

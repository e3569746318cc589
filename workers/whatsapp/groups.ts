// Groups: what the account learns of them (metadata, every group it is in) and what it does to them.
// Group sends need the participants; Baileys takes them from the store (cachedGroupMetadata).
import type { GroupMetadata, WASocket } from '@whiskeysockets/baileys'
import { AppError } from '../../src/errors/app-error.js'
import type { GroupRecord } from '../../src/store/batch.js'
import type { Written } from '../../src/wa/worker-api.js'
import { statusCodeOf, type WaHost } from './host.js'
import { groupRecord } from './normalize.js'
import type { StoreReader } from './store-reader.js'

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
      const g = groupRecord(await sock.groupMetadata(jid))!
      return { group: g, seq: this.host.store({ groups: [g] }) }
    } catch (err) {
      const code = statusCodeOf(err)
      if (code === 404 || code === 403) throw new AppError('GROUP_NOT_FOUND', `No group ${jid} that this account is in.`)
      throw new AppError('WA_QUERY_FAILED', (err as Error).message)
    }
  }

  async participating(): Promise<Written<{ groups: GroupRecord[] }>> {
    const sock = this.host.ready()
    const all = Object.values(await sock.groupFetchAllParticipating()).map((g) => groupRecord(g)!)
    return { groups: all, seq: this.host.store({ groups: all }) }
  }
}

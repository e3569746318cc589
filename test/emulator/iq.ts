// The server's answers to client iqs. Every iq gets an answer: an unanswered one costs Baileys a 60 s timeout.
import { randomBytes } from 'node:crypto'
import { encodeBigEndian, getBinaryNodeChild, getBinaryNodeChildren, getBinaryNodeChildBuffer, getBinaryNodeChildString, type BinaryNode } from '@whiskeysockets/baileys'
import type { Connection } from './connection.js'
import { S_WA, lidJid, pnJid, now, takeRemoteBundle, type Account, type Directory, type Group } from './state.js'
import type { PreKeyBundle } from './signal-identity.js'
import { MEDIA_AUTH } from './media-server.js'

export interface IqContext {
  dir: Directory
  mediaHost: string
  /** app-state collections the client asked for, answered with these patches when set */
  appStateReply?: (collection: string, version: number) => BinaryNode | undefined
  notifyGroup(group: Group, action: BinaryNode, actor: Account, exclude?: Connection): void
  onLogoutCompanion(conn: Connection): void
}

const bufToUInt = (buf: Uint8Array): number => [...buf].reduce((a, x) => a * 256 + x, 0)
const b = (x: Uint8Array): Buffer => Buffer.from(x)

export const result = (iq: BinaryNode, content?: BinaryNode[], from = S_WA): BinaryNode => ({ tag: 'iq', attrs: { from, type: 'result', id: iq.attrs.id! }, ...(content ? { content } : {}) })
export const iqError = (iq: BinaryNode, code: number, text: string, from = S_WA): BinaryNode => ({
  tag: 'iq',
  attrs: { from, type: 'error', id: iq.attrs.id! },
  content: [{ tag: 'error', attrs: { code: String(code), text } }]
})

function bundleNode(ctx: IqContext, jid: string): BinaryNode {
  const { dev } = ctx.dir.resolve(jid)
  if (!dev) return { tag: 'user', attrs: { jid }, content: [{ tag: 'error', attrs: { code: '404', text: 'item-not-found' } }] }
  const bundle: PreKeyBundle = dev.kind === 'emulated' ? dev.signal.takeBundle() : takeRemoteBundle(dev)
  return {
    tag: 'user',
    attrs: { jid },
    content: [
      { tag: 'registration', attrs: {}, content: b(encodeBigEndian(bundle.registrationId, 4)) },
      { tag: 'type', attrs: {}, content: Buffer.from([5]) },
      { tag: 'identity', attrs: {}, content: bundle.identity },
      ...(bundle.preKey
        ? [{ tag: 'key', attrs: {}, content: [{ tag: 'id', attrs: {}, content: b(encodeBigEndian(bundle.preKey.keyId, 3)) }, { tag: 'value', attrs: {}, content: bundle.preKey.value }] }]
        : []),
      {
        tag: 'skey',
        attrs: {},
        content: [
          { tag: 'id', attrs: {}, content: b(encodeBigEndian(bundle.skey.keyId, 3)) },
          { tag: 'value', attrs: {}, content: bundle.skey.value },
          { tag: 'signature', attrs: {}, content: bundle.skey.signature }
        ]
      }
    ]
  }
}

function usyncResult(ctx: IqContext, usync: BinaryNode): BinaryNode {
  const query = getBinaryNodeChild(usync, 'query')
  const protocols = Array.isArray(query?.content) ? query.content.map((p) => p.tag) : []
  const users = getBinaryNodeChildren(getBinaryNodeChild(usync, 'list'), 'user')
  const out = users.map((u): BinaryNode => {
    let jid = u.attrs.jid
    const contact = getBinaryNodeChild(u, 'contact')
    if (!jid && contact?.content) jid = `${Buffer.from(contact.content as Uint8Array).toString().replace(/[^0-9]/g, '')}@${S_WA}`
    const { acc } = ctx.dir.resolve(jid)
    const content: BinaryNode[] = []
    for (const p of protocols) {
      if (p === 'contact') content.push({ tag: 'contact', attrs: { type: acc ? 'in' : 'out' } })
      if (p === 'lid' && acc) content.push({ tag: 'lid', attrs: { val: lidJid(acc) } })
      if (p === 'devices' && acc) {
        content.push({
          tag: 'devices',
          attrs: {},
          content: [
            { tag: 'device-list', attrs: {}, content: [...acc.devices.values()].map((d): BinaryNode => ({ tag: 'device', attrs: d.id ? { id: String(d.id), 'key-index': String(d.kind === 'remote' ? d.keyIndex : 1) } : { id: '0' } })) },
            { tag: 'key-index-list', attrs: { ts: String(now()) } }
          ]
        })
      }
      if (p === 'status' && acc) content.push({ tag: 'status', attrs: { t: String(now()) }, content: Buffer.from(acc.status) })
      if (p === 'disappearing_mode' && acc) content.push({ tag: 'disappearing_mode', attrs: { duration: '0', t: '0' } })
    }
    return { tag: 'user', attrs: { jid: jid ?? '' }, content }
  })
  return { tag: 'usync', attrs: { ...usync.attrs }, content: [{ tag: 'result', attrs: {} }, { tag: 'list', attrs: {}, content: out }] }
}

export function groupNode(g: Group): BinaryNode {
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
      ...(g.description ? [{ tag: 'description', attrs: { id: 'D1', t: String(g.t) }, content: [{ tag: 'body', attrs: {}, content: Buffer.from(g.description) }] }] : []),
      ...g.participants.map((p) => ({ tag: 'participant', attrs: { jid: lidJid(p.acc), phone_number: pnJid(p.acc), ...(p.admin ? { type: p.admin } : {}) } }))
    ]
  }
}

export function createGroup(dir: Directory, subject: string, owner: Account, members: Account[], fixedId?: string): Group {
  const id = fixedId ?? `${120363000000000000n + BigInt(Math.floor(Math.random() * 1e12))}@g.us`
  const g: Group = {
    id,
    subject,
    owner,
    t: now(),
    participants: [{ acc: owner, admin: 'superadmin' }, ...members.filter((m) => m !== owner).map((acc) => ({ acc }))],
    inviteCode: randomBytes(16).toString('base64url').slice(0, 22)
  }
  dir.groups.set(id, g)
  return g
}

function groupIq(ctx: IqContext, conn: Connection, iq: BinaryNode, child: BinaryNode | undefined): BinaryNode {
  const me = conn.acc!
  const to = iq.attrs.to ?? ''
  const tag = child?.tag ?? ''
  if (to === '@g.us') {
    if (tag === 'participating') {
      const mine = [...ctx.dir.groups.values()].filter((g) => g.participants.some((p) => p.acc === me))
      return result(iq, [{ tag: 'groups', attrs: {}, content: mine.map(groupNode) }], '@g.us')
    }
    if (tag === 'create') {
      const members = getBinaryNodeChildren(child, 'participant').map((p) => ctx.dir.resolve(p.attrs.jid).acc).filter((a): a is Account => !!a)
      const g = createGroup(ctx.dir, child!.attrs.subject ?? '', me, members)
      return result(iq, [groupNode(g)], '@g.us')
    }
    if (tag === 'leave') {
      const left: BinaryNode[] = []
      for (const gn of getBinaryNodeChildren(child, 'group')) {
        const g = ctx.dir.groups.get(gn.attrs.id!.includes('@') ? gn.attrs.id! : `${gn.attrs.id}@g.us`)
        if (!g) continue
        g.participants = g.participants.filter((p) => p.acc !== me)
        ctx.notifyGroup(g, { tag: 'leave', attrs: {}, content: [{ tag: 'participant', attrs: { jid: lidJid(me), phone_number: pnJid(me) } }] }, me)
        left.push({ tag: 'group', attrs: { id: g.id } })
      }
      return result(iq, [{ tag: 'leave', attrs: {}, content: left }], '@g.us')
    }
    return result(iq, undefined, '@g.us')
  }
  const g = ctx.dir.groups.get(to)
  if (!g) return iqError(iq, 404, 'item-not-found', to)
  const isMember = g.participants.some((p) => p.acc === me)
  if (!isMember) return iqError(iq, 403, 'forbidden', to)
  switch (tag) {
    case 'query':
      return result(iq, [groupNode(g)], to)
    case 'subject':
      g.subject = Buffer.from((child!.content as Uint8Array | undefined) ?? []).toString()
      ctx.notifyGroup(g, { tag: 'subject', attrs: { subject: g.subject, s_o: lidJid(me), s_t: String(now()) } }, me)
      return result(iq, undefined, to)
    case 'description':
      g.description = getBinaryNodeChildString(child, 'body') ?? undefined
      ctx.notifyGroup(g, { tag: 'description', attrs: { id: child!.attrs.id ?? 'D2' }, content: g.description ? [{ tag: 'body', attrs: {}, content: Buffer.from(g.description) }] : [{ tag: 'delete', attrs: {} }] }, me)
      return result(iq, undefined, to)
    case 'invite':
      if (iq.attrs.type === 'set') g.inviteCode = randomBytes(16).toString('base64url').slice(0, 22)
      return result(iq, [{ tag: 'invite', attrs: { code: g.inviteCode } }], to)
    case 'add':
    case 'remove':
    case 'promote':
    case 'demote': {
      const out: BinaryNode[] = []
      for (const pn of getBinaryNodeChildren(child, 'participant')) {
        const acc = ctx.dir.resolve(pn.attrs.jid).acc
        if (!acc) {
          out.push({ tag: 'participant', attrs: { jid: pn.attrs.jid!, error: '404' } })
          continue
        }
        const idx = g.participants.findIndex((p) => p.acc === acc)
        if (tag === 'add' && idx < 0) g.participants.push({ acc })
        else if (tag === 'remove' && idx >= 0) g.participants.splice(idx, 1)
        else if (tag === 'promote' && idx >= 0) g.participants[idx]!.admin = 'admin'
        else if (tag === 'demote' && idx >= 0) delete g.participants[idx]!.admin
        out.push({ tag: 'participant', attrs: { jid: lidJid(acc), phone_number: pnJid(acc) } })
      }
      ctx.notifyGroup(g, { tag, attrs: {}, content: out.filter((p) => !p.attrs.error) }, me)
      return result(iq, [{ tag, attrs: {}, content: out }], to)
    }
    default:
      return result(iq, undefined, to)
  }
}

export function handleIq(ctx: IqContext, conn: Connection, iq: BinaryNode): BinaryNode {
  const xmlns = iq.attrs.xmlns
  const child = Array.isArray(iq.content) ? iq.content[0] : undefined
  const dev = conn.device
  switch (`${xmlns}:${iq.attrs.type}:${child?.tag ?? ''}`) {
    case 'encrypt:get:count':
      return result(iq, [{ tag: 'count', attrs: { value: String(dev?.preKeys.size ?? 0) } }])
    case 'encrypt:set:registration':
    case 'encrypt:set:list': {
      if (!dev) return result(iq)
      for (const k of getBinaryNodeChildren(getBinaryNodeChild(iq, 'list'), 'key')) {
        dev.preKeys.set(bufToUInt(getBinaryNodeChildBuffer(k, 'id')!), b(getBinaryNodeChildBuffer(k, 'value')!))
      }
      const sk = getBinaryNodeChild(iq, 'skey')
      if (sk) dev.signed = { keyId: bufToUInt(getBinaryNodeChildBuffer(sk, 'id')!), value: b(getBinaryNodeChildBuffer(sk, 'value')!), signature: b(getBinaryNodeChildBuffer(sk, 'signature')!) }
      const reg = getBinaryNodeChildBuffer(iq, 'registration')
      if (reg) dev.registrationId = bufToUInt(reg)
      const identity = getBinaryNodeChildBuffer(iq, 'identity')
      if (identity) dev.identity = b(identity)
      return result(iq)
    }
    case 'encrypt:get:digest':
      return result(iq, [{ tag: 'digest', attrs: {} }])
    case 'encrypt:get:key':
      return result(iq, [{ tag: 'list', attrs: {}, content: getBinaryNodeChildren(child, 'user').map((u) => bundleNode(ctx, u.attrs.jid!)) }])
    case 'usync:get:usync':
      return result(iq, [usyncResult(ctx, child!)])
    case 'abt:get:props':
      return result(iq, [{ tag: 'props', attrs: { protocol: '1', hash: 'emu' }, content: [] }])
    case 'w:get:props':
      return result(iq, [{ tag: 'props', attrs: { protocol: '2', hash: 'emu' }, content: [] }])
    case 'privacy:get:privacy':
      return result(iq, [
        {
          tag: 'privacy',
          attrs: {},
          content: ['readreceipts:all', 'last:all', 'online:all', 'profile:all', 'status:all', 'groupadd:all', 'calladd:all', 'messages:all'].map((s) => {
            const [name, value] = s.split(':') as [string, string]
            return { tag: 'category', attrs: { name, value } }
          })
        }
      ])
    case 'blocklist:get:':
      return result(iq, [{ tag: 'list', attrs: {}, content: [...(conn.acc?.blocked ?? [])].map((jid) => ({ tag: 'item', attrs: { jid } })) }])
    case 'blocklist:set:item': {
      const jid = child!.attrs.jid!
      if (child!.attrs.action === 'block') conn.acc?.blocked.add(jid)
      else conn.acc?.blocked.delete(jid)
      return result(iq)
    }
    case 'w:m:set:media_conn':
      return result(iq, [{ tag: 'media_conn', attrs: { auth: MEDIA_AUTH, ttl: '3600', auth_ttl: '3600', max_buckets: '1' }, content: [{ tag: 'host', attrs: { hostname: ctx.mediaHost, maxContentLengthBytes: '104857600' } }] }])
    case 'w:sync:app:state:set:sync':
      return result(iq, [
        {
          tag: 'sync',
          attrs: {},
          content: getBinaryNodeChildren(child, 'collection').map((c) => ctx.appStateReply?.(c.attrs.name!, Number(c.attrs.version ?? 0)) ?? { tag: 'collection', attrs: { name: c.attrs.name!, version: c.attrs.version ?? '0' } })
        }
      ])
    case 'w:profile:picture:get:picture': {
      const { acc } = ctx.dir.resolve(iq.attrs.target)
      const g = ctx.dir.groups.get(iq.attrs.target ?? '')
      const url = acc?.pictureUrl ?? (g ? undefined : undefined)
      if (!url) return iqError(iq, 404, 'item-not-found')
      return result(iq, [{ tag: 'picture', attrs: { url, id: '1', type: child!.attrs.type ?? 'preview', direct_path: new URL(url).pathname } }])
    }
    case 'md:set:remove-companion-device':
      ctx.onLogoutCompanion(conn)
      return result(iq)
    default:
      if (xmlns === 'w:g2' && conn.acc) return groupIq(ctx, conn, iq, child)
      // passive, w:p ping, w:stats, unified session, privacy tokens, presence subscriptions ...: a plain ack
      return result(iq)
  }
}

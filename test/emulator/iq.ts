// The server's answers to client iqs. Every iq gets an answer: an unanswered one costs Baileys a 60 s timeout.
import { encodeBigEndian, getBinaryNodeChild, getBinaryNodeChildren, getBinaryNodeChildBuffer, type BinaryNode } from '@whiskeysockets/baileys'
import type { Connection } from './connection.js'
import { S_WA, lidJid, pnJid, now, takeRemoteBundle, type Account, type Directory, type Group } from './state.js'
import { groupIq } from './groups.js'
import type { PreKeyBundle } from './signal-identity.js'
import { MEDIA_AUTH } from './media-server.js'

export interface IqContext {
  dir: Directory
  mediaHost: string
  /** app-state collections the client asked for, answered with these patches when set */
  appStateReply?: (collection: string, version: number) => BinaryNode | undefined
  notifyGroup(group: Group, action: BinaryNode, actor: Account, extra?: Account[]): void
  onLogoutCompanion(conn: Connection): void
  /** the account changed its about text, its picture (null removes it) or its block list */
  accountChanged(acc: Account, change: { about?: string; picture?: Buffer | null; blocked?: string; unblocked?: string }): void
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
      return result(iq, [{ tag: 'list', attrs: {}, content: [...(conn.acc?.blocked ?? [])].filter((jid) => !jid.endsWith(`@${S_WA}`)).map((jid) => {
        const { acc } = ctx.dir.resolve(jid)
        return { tag: 'item', attrs: { jid, ...(acc ? { pn_jid: pnJid(acc) } : {}) } }
      }) }])
    case 'blocklist:set:item': {
      const acc = conn.acc
      const { acc: who } = ctx.dir.resolve(child!.attrs.jid)
      if (!acc) return result(iq)
      // WhatsApp names the person by LID, with the phone JID beside it when blocking
      if (!who) return iqError(iq, 404, 'item-not-found')
      if (child!.attrs.action === 'block') {
        acc.blocked.add(lidJid(who)).add(pnJid(who))
        ctx.accountChanged(acc, { blocked: pnJid(who) })
      } else {
        acc.blocked.delete(lidJid(who))
        acc.blocked.delete(pnJid(who))
        ctx.accountChanged(acc, { unblocked: pnJid(who) })
      }
      return result(iq)
    }
    case 'status:set:status':
      if (conn.acc) {
        conn.acc.status = Buffer.from((child!.content as Uint8Array | undefined) ?? []).toString()
        ctx.accountChanged(conn.acc, { about: conn.acc.status })
      }
      return result(iq)
    case 'w:profile:picture:set:picture':
    case 'w:profile:picture:set:': {
      // the account's own picture unless it names a target (a group it administers: not emulated)
      if (!conn.acc || iq.attrs.target) return iqError(iq, 401, 'not-authorized')
      const jpeg = child?.content ? Buffer.from(child.content as Uint8Array) : null
      ctx.accountChanged(conn.acc, { picture: jpeg })
      return result(iq, jpeg ? [{ tag: 'picture', attrs: { id: String(now()) } }] : undefined)
    }
    case 'w:m:set:media_conn':
      return result(iq, [{ tag: 'media_conn', attrs: { auth: MEDIA_AUTH, ttl: '3600', auth_ttl: '3600', max_buckets: '1' }, content: [{ tag: 'host', attrs: { hostname: ctx.mediaHost, maxContentLengthBytes: '104857600' } }] }])
    case 'w:sync:app:state:set:sync':
      return result(iq, [
        {
          tag: 'sync',
          attrs: {},
          content: getBinaryNodeChildren(child, 'collection').map((c) => {
            // a collection that carried a patch is answered from the version the patch made (see accept)
            const from = Number(c.attrs.version ?? 0) + (getBinaryNodeChild(c, 'patch') ? 1 : 0)
            return ctx.appStateReply?.(c.attrs.name!, from) ?? { tag: 'collection', attrs: { name: c.attrs.name!, version: String(from) } }
          })
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

// The group tools through the real stack (SDK client -> server -> Baileys -> emulator): every change
// reaches each member as WhatsApp's w:gp2 notification, and the errors an agent gets when it cannot.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import type { BinaryNode } from '@whiskeysockets/baileys'
import { startEmulator, type Emulator } from '../emulator/emulator.js'
import type { Person } from '../emulator/person.js'
import { call } from '../helpers/server-process.js'
import { startLinkedServer, type LinkedServer } from '../helpers/link.js'

const ACCOUNT = '15550007001'
let emu: Emulator
let linked: LinkedServer
let client: Client
let ada: Person
let bob: Person
let carol: Person
let dave: Person

const ok = async (name: string, args: Record<string, unknown>) => {
  const r = await call(client, name, args)
  assert.equal(r.ok, true, `${name}: ${JSON.stringify(r.data)}`)
  return r.data
}
const code = async (name: string, args: Record<string, unknown>) => (await call(client, name, args)).data.code

/** resolves with the w:gp2 action once WhatsApp notifies `who` of a `tag` change in `group` */
function heard(who: Person, tag: string, group?: () => string, timeoutMs = 15_000): Promise<BinaryNode> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emu.off('group-notification', on)
      reject(new Error(`${who.acc.name} never heard of a ${tag}`))
    }, timeoutMs)
    const on = (n: { group: string; to: string; action: BinaryNode }) => {
      if (n.to !== who.acc.pn || n.action.tag !== tag || (group && n.group !== group())) return
      emu.off('group-notification', on)
      clearTimeout(timer)
      resolve(n.action)
    }
    emu.on('group-notification', on)
  })
}
const groupOf = (jid: string) => emu.dir.groups.get(jid)!
const storedAdmin = (group: string, member: string): string | null | undefined => {
  const db = new Database(join(linked.server.dataDir, 'store.sqlite'), { readonly: true })
  try {
    return (db.prepare('SELECT admin FROM group_participants WHERE group_jid = ? AND jid = ?').get(group, member) as { admin: string | null } | undefined)?.admin
  } finally {
    db.close()
  }
}
const info = async (jid: string) => (await ok('get_group_info', { group_jid: jid })).group as { subject: string; description: string | null; announce: boolean | null; participants: Array<{ jid: string; admin: string | null }> }

before(async () => {
  emu = await startEmulator()
  ada = emu.person({ phone: '15550007002', name: 'Ada' })
  bob = emu.person({ phone: '15550007003', name: 'Bob' })
  carol = emu.person({ phone: '15550007004', name: 'Carol' })
  dave = emu.person({ phone: '15550007005', name: 'Dave' })
  // Bob lets only his contacts add him: an add becomes an invite
  bob.acc.groupAdd = 'invite'
  linked = await startLinkedServer(emu, ACCOUNT)
  client = linked.client
})

after(async () => {
  await linked?.close()
  await emu?.close()
})

let ours = ''

test('create_group makes the group with a result per person: added, needs an invite (sent), not on WhatsApp', async () => {
  const adaHears = heard(ada, 'add')
  const invite = bob.waitFor((p) => !!p.message.groupInviteMessage)
  const r = await ok('create_group', { subject: 'Plans', participants: [ada.jid, bob.jid, '+1 555 999 0001'], invite_if_needed: true })
  const group = r.group as { jid: string; subject: string }
  ours = group.jid
  assert.equal(group.subject, 'Plans')
  assert.deepEqual((r.results as Array<{ status: string }>).map((x) => x.status), ['added', 'invite_sent', 'not_on_whatsapp'])
  await adaHears
  const inv = (await invite).message.groupInviteMessage!
  assert.equal(inv.groupJid, ours)
  assert.ok(inv.inviteCode)
  const g = groupOf(ours)
  assert.equal(g.owner.pn, ACCOUNT)
  assert.deepEqual(g.participants.map((p) => p.acc.pn).sort(), [ACCOUNT, ada.acc.pn])
  assert.deepEqual((await info(ours)).participants.map((p) => p.jid).sort(), [`${ACCOUNT}@s.whatsapp.net`, ada.jid].sort())
  assert.equal(await code('create_group', { subject: '' }), 'INVALID_INPUT')
})

test('update_group_participants promotes, demotes and removes, each member hears it; a second remove is not_member', async () => {
  const carolHears = heard(carol, 'add', () => ours)
  const added = await ok('update_group_participants', { group_jid: ours, action: 'add', participants: [carol.jid, ada.jid] })
  assert.deepEqual((added.results as Array<{ status: string }>).map((x) => x.status), ['added', 'already_member'])
  await carolHears
  const adaPromoted = heard(ada, 'promote')
  // the answer stands on its own: the account's notification of the change is held back until after the read
  const release = emu.holdGroupNotifications(ACCOUNT)
  await ok('update_group_participants', { group_jid: ours, action: 'promote', participants: [ada.jid] })
  // read from the store file itself: get_group_info would ask WhatsApp again
  const stored = storedAdmin(ours, ada.jid)
  release()
  await adaPromoted
  assert.equal(stored, 'admin')
  const demoted = heard(carol, 'demote')
  await ok('update_group_participants', { group_jid: ours, action: 'demote', participants: [ada.jid] })
  await demoted
  const removedHears = heard(carol, 'remove')
  const r = await ok('update_group_participants', { group_jid: ours, action: 'remove', participants: [carol.jid] })
  assert.deepEqual((r.results as Array<{ status: string }>).map((x) => x.status), ['removed'])
  await removedHears
  assert.ok(!groupOf(ours).participants.some((p) => p.acc === carol.acc))
  assert.ok(!(await info(ours)).participants.some((p) => p.jid === carol.jid))
  const again = await ok('update_group_participants', { group_jid: ours, action: 'remove', participants: [carol.jid] })
  assert.deepEqual(again.results, [{ jid: carol.jid, status: 'not_member', code: 404 }])
  const needs = await ok('update_group_participants', { group_jid: ours, action: 'add', participants: [bob.jid] })
  assert.equal((needs.results as Array<{ status: string }>)[0]!.status, 'needs_invite')
})

test('update_group_participants: not an admin, no such group, not a group JID', async () => {
  const theirs = emu.createGroup('Theirs', carol, [ACCOUNT, ada]).id
  await ok('get_group_info', { group_jid: theirs })
  assert.equal(await code('update_group_participants', { group_jid: theirs, action: 'remove', participants: [ada.jid] }), 'GROUP_NOT_ADMIN')
  assert.equal(await code('update_group_participants', { group_jid: '120363999999999999@g.us', action: 'add', participants: [ada.jid] }), 'GROUP_NOT_FOUND')
  assert.equal(await code('update_group_participants', { group_jid: ada.jid, action: 'add', participants: [bob.jid] }), 'WA_JID_INVALID')
})

test('update_group changes subject, description, who may send and disappearing messages, as every member sees', async () => {
  const subject = heard(ada, 'subject')
  const description = heard(ada, 'description')
  const announce = heard(ada, 'announcement')
  const ephemeral = heard(ada, 'ephemeral')
  const r = await ok('update_group', { group_jid: ours, subject: 'Plans 2', description: 'Where and when', only_admins_send: true, disappearing: '7d' })
  assert.deepEqual(r.group, { jid: ours, subject: 'Plans 2', size: 2, description: 'Where and when', only_admins_send: true })
  assert.equal((await subject).attrs.subject, 'Plans 2')
  await description
  await announce
  assert.equal((await ephemeral).attrs.expiration, '604800')
  const g = groupOf(ours)
  assert.equal(g.description, 'Where and when')
  assert.equal(g.ephemeral, 604800)
  const cleared = heard(ada, 'description')
  await ok('update_group', { group_jid: ours, description: '' })
  await cleared
  assert.equal(groupOf(ours).description, undefined)
  assert.equal((await info(ours)).description, null)
  assert.equal(await code('update_group', { group_jid: ours }), 'INVALID_INPUT')
  // any member may edit the info of a group that is not locked; only admins may say who sends
  const theirs = emu.createGroup('Not ours', carol, [ACCOUNT])
  await ok('update_group', { group_jid: theirs.id, subject: 'Ours too' })
  assert.equal(theirs.subject, 'Ours too')
  assert.equal(await code('update_group', { group_jid: theirs.id, only_admins_send: true }), 'GROUP_NOT_ADMIN')
  theirs.restrict = true
  assert.equal(await code('update_group', { group_jid: theirs.id, subject: 'Mine now' }), 'GROUP_NOT_ADMIN')
})

test('get_group_invite_link gives the link; revoke makes a new one and the old one stops working', async () => {
  const r = await ok('get_group_invite_link', { group_jid: ours })
  assert.equal(r.code, groupOf(ours).inviteCode)
  assert.equal(r.link, `https://chat.whatsapp.com/${r.code}`)
  const revoked = await ok('get_group_invite_link', { group_jid: ours, revoke: true })
  assert.notEqual(revoked.code, r.code)
  assert.equal(emu.joinByInvite(dave, r.code as string), undefined)
  const theirs = emu.createGroup('Links', carol, [ACCOUNT]).id
  assert.equal(await code('get_group_invite_link', { group_jid: theirs }), 'GROUP_NOT_ADMIN')
})

test('join_group looks first with preview, then joins; the owner hears it; a bad code is GROUP_INVITE_INVALID', async () => {
  const g = emu.createGroup('Open house', carol, [dave])
  const p = await ok('join_group', { invite: `https://chat.whatsapp.com/${g.inviteCode}`, preview: true })
  assert.deepEqual(p, { group_jid: g.id, subject: 'Open house', size: 2, join_approval: false, joined: false, pending_approval: false })
  assert.ok(!g.participants.some((x) => x.acc.pn === ACCOUNT))
  const carolHears = heard(carol, 'add', () => g.id)
  const j = await ok('join_group', { invite: g.inviteCode })
  assert.equal(j.joined, true)
  await carolHears
  assert.ok(g.participants.some((x) => x.acc.pn === ACCOUNT))
  assert.ok((await info(g.id)).participants.some((x) => x.jid === `${ACCOUNT}@s.whatsapp.net`))
  const closed = emu.createGroup('Ask first', carol, [])
  closed.joinApproval = true
  const pending = await ok('join_group', { invite: closed.inviteCode })
  assert.equal(pending.pending_approval, true)
  assert.deepEqual(closed.requests.map((x) => x.acc.pn), [ACCOUNT])
  assert.equal(await code('join_group', { invite: 'AAAAAAAAAAAAAAAAAAAAAA' }), 'GROUP_INVITE_INVALID')
  assert.equal(await code('join_group', { invite: 'https://example.com/not-an-invite' }), 'INVALID_INPUT')
})

test('group_join_requests lists who asked to join, and approving lets them in', async () => {
  await ok('update_group', { group_jid: ours, join_approval: true })
  assert.equal(groupOf(ours).joinApproval, true)
  const asked = new Promise<void>((resolve) => emu.once('group-notification', (n: { action: BinaryNode }) => n.action.tag === 'created_membership_requests' && resolve()))
  assert.deepEqual(emu.joinByInvite(dave, groupOf(ours).inviteCode)?.joined, false)
  await asked
  const q = await ok('group_join_requests', { group_jid: ours })
  assert.deepEqual((q.requests as Array<{ jid: string }>).map((x) => x.jid), [dave.jid])
  const daveIn = heard(dave, 'add', () => ours)
  const r = await ok('group_join_requests', { group_jid: ours, approve: [dave.jid], reject: [carol.jid] })
  assert.deepEqual(r.results, [{ jid: dave.jid, status: 'approved' }, { jid: carol.jid, status: 'no_request' }])
  assert.deepEqual(r.requests, [])
  await daveIn
  assert.ok((await info(ours)).participants.some((x) => x.jid === dave.jid))
  assert.equal(await code('group_join_requests', { group_jid: ours, approve: [dave.jid], reject: [dave.jid] }), 'INVALID_INPUT')
})

test('leave_group leaves, the members hear it, and a second leave is GROUP_NOT_FOUND', async () => {
  const g = emu.createGroup('Farewell', carol, [ACCOUNT, ada])
  await ok('get_group_info', { group_jid: g.id })
  const carolHears = heard(carol, 'leave', () => g.id)
  await ok('leave_group', { group_jid: g.id })
  await carolHears
  assert.ok(!g.participants.some((x) => x.acc.pn === ACCOUNT))
  assert.equal(await code('update_group', { group_jid: g.id, subject: 'back?' }), 'GROUP_NOT_FOUND')
})

// The emulator's protocol surface, bullet by bullet, through the real Baileys client in this process.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync, mkdtempSync, cpSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import https from 'node:https'
import { downloadMediaMessage, proto, type WAMessage } from '@whiskeysockets/baileys'
import { startEmulator, type Emulator } from './emulator.js'
import { linkClient, type LinkedClient } from '../helpers/baileys-client.js'
import type { Person } from './person.js'

const ACCOUNT = '15550001111'
const JPEG = Buffer.from('/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsOCwkJDRENDg8QEBEQCgwSExIQEw8QEBD/yQALCAABAAEBAREA/8wABgAQEAX/2gAIAQEAAD8A0s8g/9k=', 'base64')
let emu: Emulator
let client: LinkedClient
let ann: Person
let ben: Person

const upsert = (id: string) => (d: { messages: WAMessage[] }) => d.messages.some((m) => m.key.id === id)
const got = (id: string): WAMessage => client.events.flatMap((e) => (e.name === 'messages.upsert' ? (e.data as { messages: WAMessage[] }).messages : [])).find((m) => m.key.id === id)!
const fetchHttps = (url: string): Promise<Buffer> =>
  new Promise((resolve, reject) => https.get(url, { ca: emu.media.cert }, (res) => {
    const chunks: Buffer[] = []
    res.on('data', (c: Buffer) => chunks.push(c))
    res.on('end', () => resolve(Buffer.concat(chunks)))
  }).on('error', reject))

before(async () => {
  emu = await startEmulator()
  ann = emu.person({ phone: '15550002222', name: 'Ann' })
  ben = emu.person({ phone: '15550003333', name: 'Ben' })
  client = await linkClient(emu, ACCOUNT, { defaultQueryTimeoutMs: 3000 })
})

after(async () => {
  client?.end()
  await emu?.close()
})

test('every kind of message a person sends decodes in the client', async () => {
  const sends = [
    await ann.sendMedia(ACCOUNT, 'video', Buffer.alloc(2048, 7), { caption: 'a clip' }),
    await ann.sendMedia(ACCOUNT, 'ptt', Buffer.alloc(1024, 3)),
    await ann.sendMedia(ACCOUNT, 'audio', Buffer.alloc(1024, 4)),
    await ann.sendMedia(ACCOUNT, 'document', Buffer.from('pdf bytes'), { fileName: 'a.pdf', mimetype: 'application/pdf' }),
    await ann.sendMedia(ACCOUNT, 'sticker', Buffer.alloc(512, 9)),
    await ann.sendLocation(ACCOUNT, 52.52, 13.405, 'Berlin'),
    await ann.sendContactCard(ACCOUNT, 'Ben', ben.phone),
    await ann.sendPoll(ACCOUNT, 'Lunch?', ['Pizza', 'Sushi'])
  ]
  for (const s of sends) await client.waitFor('messages.upsert', upsert(s.id))
  const kinds = sends.map((s) => Object.keys(got(s.id).message ?? {}).find((k) => k !== 'messageContextInfo'))
  assert.deepEqual(kinds, ['videoMessage', 'audioMessage', 'audioMessage', 'documentMessage', 'stickerMessage', 'locationMessage', 'contactMessage', 'pollCreationMessageV3'])
  assert.equal(got(sends[1]!.id).message?.audioMessage?.ptt, true)
  const doc = await downloadMediaMessage(got(sends[3]!.id), 'buffer', {})
  assert.equal(Buffer.from(doc).toString(), 'pdf bytes')
})

test('edits and revokes arrive as protocol messages for the original', async () => {
  const m = await ann.sendText(ACCOUNT, 'first version')
  await client.waitFor('messages.upsert', upsert(m.id))
  const e = await ann.edit(ACCOUNT, { id: m.id, remoteJid: ann.jid }, 'second version')
  const r = await ann.revoke(ACCOUNT, { id: m.id, remoteJid: ann.jid })
  await client.waitFor('messages.upsert', upsert(e.id))
  await client.waitFor('messages.upsert', upsert(r.id))
  assert.equal(got(e.id).message?.protocolMessage?.type, proto.Message.ProtocolMessage.Type.MESSAGE_EDIT)
  assert.equal(got(r.id).message?.protocolMessage?.type, proto.Message.ProtocolMessage.Type.REVOKE)
})

test('a person sends read receipts, typing and presence', async () => {
  const sent = await client.sock.sendMessage(ann.jid, { text: 'read me' })
  await ann.waitFor((m) => m.id === sent!.key.id)
  await ann.markRead(ACCOUNT, [sent!.key.id!])
  await client.waitFor('messages.update', (u) => u.some((x) => x.key.id === sent!.key.id && x.update.status === proto.WebMessageInfo.Status.READ))
  ann.typing(ACCOUNT)
  await client.waitFor('presence.update', (p) => Object.values(p.presences).some((x) => x.lastKnownPresence === 'composing'))
})

test('own-device copies: what the account sends from its phone reaches the companion as its own', async () => {
  const phone = emu.phoneOf(ACCOUNT)
  const s = await phone.fromMe(ben.jid, { conversation: 'from my phone' })
  await client.waitFor('messages.upsert', upsert(s.id))
  assert.equal(got(s.id).key.fromMe, true)
  assert.equal(got(s.id).key.remoteJid, ben.jid)
})

test('usync: onWhatsApp, devices and status; profile pictures over the emulator HTTPS', async () => {
  const [yes] = (await client.sock.onWhatsApp(`+${ann.phone}`)) ?? []
  assert.equal(yes?.exists, true)
  const none = (await client.sock.onWhatsApp('19999999999')) ?? []
  assert.ok(!none.some((x) => x.exists))
  const url = ann.setProfilePicture(JPEG)
  assert.equal(await client.sock.profilePictureUrl(ann.jid, 'image'), url)
  assert.ok((await fetchHttps(url)).equals(JPEG))
})

test('blocklist and privacy settings answer', async () => {
  assert.deepEqual(await client.sock.fetchBlocklist(), [])
  await client.sock.updateBlockStatus(ben.jid, 'block')
  const blocked = await client.sock.fetchBlocklist()
  assert.ok(blocked.includes(ben.jid) || blocked.includes(ben.lid), JSON.stringify(blocked))
  const privacy = await client.sock.fetchPrivacySettings(true)
  assert.equal(privacy.readreceipts, 'all')
})

test('groups: create, participants add/remove/promote/demote, description, invite code, leave', async () => {
  const g = await client.sock.groupCreate('Made by the client', [ann.jid])
  assert.equal(g.subject, 'Made by the client')
  await client.sock.groupParticipantsUpdate(g.id, [ben.jid], 'add')
  await client.sock.groupParticipantsUpdate(g.id, [ben.jid], 'promote')
  let meta = await client.sock.groupMetadata(g.id)
  assert.equal(meta.participants.find((p) => p.phoneNumber === ben.jid || p.id === ben.lid)?.admin, 'admin')
  await client.sock.groupParticipantsUpdate(g.id, [ben.jid], 'demote')
  await client.sock.groupParticipantsUpdate(g.id, [ann.jid], 'remove')
  meta = await client.sock.groupMetadata(g.id)
  assert.equal(meta.participants.length, 2)
  await client.sock.groupUpdateDescription(g.id, 'about us')
  assert.equal((await client.sock.groupMetadata(g.id)).desc, 'about us')
  const code = await client.sock.groupInviteCode(g.id)
  assert.ok(code && (await client.sock.groupRevokeInvite(g.id)) !== code)
  await client.sock.groupLeave(g.id)
  await assert.rejects(client.sock.groupMetadata(g.id))
})

test('media: Range downloads, and expired media answers 410', async () => {
  const img = await ann.sendMedia(ACCOUNT, 'image', JPEG)
  await client.waitFor('messages.upsert', upsert(img.id))
  const directPath = got(img.id).message!.imageMessage!.directPath!
  const url = `https://${emu.media.hostPort}${directPath}`
  const part = await new Promise<number>((resolve, reject) => https.get(url, { ca: emu.media.cert, headers: { range: 'bytes=0-9' } }, (res) => {
    res.resume()
    resolve(res.statusCode ?? 0)
  }).on('error', reject))
  assert.equal(part, 206)
  emu.media.expire(directPath)
  const gone = await new Promise<number>((resolve, reject) => https.get(url, { ca: emu.media.cert }, (res) => {
    res.resume()
    resolve(res.statusCode ?? 0)
  }).on('error', reject))
  assert.equal(gone, 410)
  const other = await ann.sendMedia(ACCOUNT, 'image', JPEG)
  emu.media.expire(other.directPath, 403)
  const forbidden = await new Promise<number>((resolve, reject) => https.get(`https://${emu.media.hostPort}${other.directPath}`, { ca: emu.media.cert }, (res) => {
    res.resume()
    resolve(res.statusCode ?? 0)
  }).on('error', reject))
  assert.equal(forbidden, 403)
  await assert.rejects(downloadMediaMessage(got(img.id), 'buffer', {}))
})

test('faults: a hanging server makes client queries time out; delayed stanzas still arrive', async () => {
  emu.hang(ACCOUNT, ['iq'])
  const asked = emu.received.length
  // rc14 turns a query timeout into an empty result, which groupMetadata reports as a missing <group>
  await assert.rejects(client.sock.groupMetadata('120363000000000001@g.us'), /Timed Out|timed out|missing <group>/i)
  assert.ok(emu.received.slice(asked).some((n) => n.tag === 'iq' && n.attrs.xmlns === 'w:g2'), 'the query reached the emulator, which did not answer')
  emu.hang(ACCOUNT, [])
  emu.delay(ACCOUNT, 300)
  const sent = await client.sock.sendMessage(ann.jid, { text: 'slow lane' })
  await ann.waitFor((m) => m.id === sent!.key.id)
  emu.delay(ACCOUNT, 0)
})

test('login with a noise key other than the one that paired is refused with 401', async () => {
  const creds = JSON.parse(readFileSync(join(client.dir, 'creds.json'), 'utf8')) as { noiseKey: { private: unknown; public: unknown } }
  const other = await linkClient(emu, '15550009999')
  other.end()
  // let the ended socket finish saving its creds, then tamper with a copy
  await new Promise((r) => setTimeout(r, 300))
  const dir = mkdtempSync(join(tmpdir(), 'tampered-'))
  cpSync(other.dir, dir, { recursive: true })
  const otherCreds = JSON.parse(readFileSync(join(dir, 'creds.json'), 'utf8')) as { noiseKey: unknown; me: unknown }
  // the other device's identity with this device's noise key
  otherCreds.noiseKey = creds.noiseKey
  writeFileSync(join(dir, 'creds.json'), JSON.stringify(otherCreds))
  const refused = new Promise((resolve) => emu.once('login-refused', resolve))
  await assert.rejects(linkClient(emu, '15550009999', {}, dir))
  await refused
})

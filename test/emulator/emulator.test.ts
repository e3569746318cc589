import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { downloadMediaMessage, type WAMessage, type proto } from '@whiskeysockets/baileys'
import { startEmulator, type Emulator } from '../../test/emulator/emulator.js'
import { linkClient, type LinkedClient } from '../helpers/baileys-client.js'

const ACCOUNT = '15550001111'
let emu: Emulator
let client: LinkedClient
const tinyJpeg = Buffer.from('/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsOCwkJDRENDg8QEBEQCgwSExIQEw8QEBD/yQALCAABAAEBAREA/8wABgAQEAX/2gAIAQEAAD8A0s8g/9k=', 'base64')

const upserted = (id: string) => (d: { messages: WAMessage[] }) => d.messages.some((m) => m.key.id === id)
const msgById = (id: string): WAMessage =>
  client.events.flatMap((e) => (e.name === 'messages.upsert' ? (e.data as { messages: WAMessage[] }).messages : [])).find((m) => m.key.id === id)!

before(async () => {
  emu = await startEmulator()
  emu.setHistory(ACCOUNT, {
    chats: [{ jid: '15550009999', name: 'Old Friend', unread: 2, messages: [{ text: 'hello from the past' }, { text: 'and me', fromMe: true }] }]
  })
  client = await linkClient(emu, ACCOUNT)
})

after(async () => {
  client?.end()
  await emu?.close()
})

test('pairs by QR, logs in and receives the initial history sync', async () => {
  assert.ok(client.sock.user?.id.startsWith(`${ACCOUNT}:`))
  const hist = await client.waitFor('messaging-history.set', (h) => h.messages.length > 0)
  assert.ok(hist.messages.some((m) => m.message?.conversation === 'hello from the past'))
  assert.ok(hist.chats.some((c) => c.id === '15550009999@s.whatsapp.net' && c.unreadCount === 2))
  // Baileys' event buffer drops lidPnMappings from merged history events; its LID store keeps them
  const friend = emu.account('15550009999')!
  assert.equal(await client.sock.signalRepository.lidMapping.getLIDForPN('15550009999@s.whatsapp.net'), `${friend.lid}@lid`)
})

test('a person sends text, a reply with a mention, a reaction and an image; the client decrypts all', async () => {
  const alice = emu.person({ phone: '15550002222', name: 'Alice' })
  const first = await alice.sendText(ACCOUNT, 'hi there')
  await client.waitFor('messages.upsert', upserted(first.id))
  assert.equal(msgById(first.id).message?.conversation, 'hi there')
  assert.equal(msgById(first.id).pushName, 'Alice')

  const reply = await alice.sendText(ACCOUNT, 'see above @me', { quoted: { key: { id: first.id }, text: 'hi there' }, mentions: [`${ACCOUNT}@s.whatsapp.net`] })
  await client.waitFor('messages.upsert', upserted(reply.id))
  const ctx = msgById(reply.id).message?.extendedTextMessage?.contextInfo
  assert.equal(ctx?.stanzaId, first.id)
  assert.deepEqual(ctx?.mentionedJid, [`${ACCOUNT}@s.whatsapp.net`])

  const reaction = await alice.react(ACCOUNT, { id: first.id, remoteJid: alice.jid }, '👍')
  await client.waitFor('messages.upsert', upserted(reaction.id))
  assert.equal(msgById(reaction.id).message?.reactionMessage?.text, '👍')

  const img = await alice.sendMedia(ACCOUNT, 'image', tinyJpeg, { caption: 'pic' })
  await client.waitFor('messages.upsert', upserted(img.id))
  const bytes = await downloadMediaMessage(msgById(img.id), 'buffer', {})
  assert.deepEqual(Buffer.from(bytes), tinyJpeg)

  const byLid = await alice.sendText(ACCOUNT, 'via lid', { addressing: 'lid' })
  await client.waitFor('messages.upsert', upserted(byLid.id))
})

test('the client sends to a person, who decrypts it; the delivery receipt comes back', async () => {
  const bob = emu.person({ phone: '15550003333', name: 'Bob' })
  const sent = await client.sock.sendMessage(bob.jid, { text: 'hello bob' })
  const got = await bob.waitFor((m) => m.id === sent!.key.id)
  assert.equal(got.message.conversation ?? got.message.extendedTextMessage?.text, 'hello bob')
  await client.waitFor('messages.update', (u) => u.some((x) => x.key.id === sent!.key.id && (x.update.status ?? 0) >= 3))
})

test('the client uploads a document that the person can read', async () => {
  const carol = emu.person({ phone: '15550004444', name: 'Carol' })
  const doc = Buffer.from('a small document')
  const sent = await client.sock.sendMessage(carol.jid, { document: doc, mimetype: 'text/plain', fileName: 'a.txt' })
  const got = await carol.waitFor((m) => m.id === sent!.key.id)
  const dm = got.message.documentMessage ?? got.message.documentWithCaptionMessage?.message?.documentMessage
  assert.deepEqual(await emu.media.readMedia(dm as proto.Message.IDocumentMessage, 'document'), doc)
})

test('groups: metadata, messages both ways, and w:gp2 notifications', async () => {
  const dave = emu.person({ phone: '15550005555', name: 'Dave' })
  const erin = emu.person({ phone: '15550006666', name: 'Erin' })
  const g = emu.createGroup('Team', dave, [ACCOUNT, erin])
  const meta = await client.sock.groupMetadata(g.id)
  assert.equal(meta.subject, 'Team')
  assert.equal(meta.participants.length, 3)

  const inbound = await dave.sendText(g.id, 'hello group')
  await client.waitFor('messages.upsert', upserted(inbound.id))
  assert.equal(msgById(inbound.id).message?.conversation, 'hello group')

  const out = await client.sock.sendMessage(g.id, { text: 'hi all' })
  const seen = await erin.waitFor((m) => m.id === out!.key.id)
  assert.equal(seen.message.conversation ?? seen.message.extendedTextMessage?.text, 'hi all')

  await client.sock.groupUpdateSubject(g.id, 'Team 2')
  await client.waitFor('groups.update', (u) => u.some((x) => x.id === g.id && x.subject === 'Team 2'))
  const all = await client.sock.groupFetchAllParticipating()
  assert.equal(all[g.id]?.subject, 'Team 2')
})

test('a message sent while the client is offline arrives on reconnect', async () => {
  const frank = emu.person({ phone: '15550007777', name: 'Frank' })
  await frank.sendText(ACCOUNT, 'warm up')
  client.end()
  await new Promise((r) => setTimeout(r, 200))
  const queued = await frank.sendText(ACCOUNT, 'while you were away')
  await client.connect()
  await client.waitFor('messages.upsert', upserted(queued.id))
})

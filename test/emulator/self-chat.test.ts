// The "message yourself" chat, as WhatsApp runs it: what a linked device writes to the account's own JID
// (phone number or LID) shows on the account's phone, and what the phone writes there reaches every linked
// device as its own message in that chat. The real Baileys client in this process plays the linked device.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import type { WAMessage } from '@whiskeysockets/baileys'
import { startEmulator, type Emulator } from './emulator.js'
import { linkClient, type LinkedClient } from '../helpers/baileys-client.js'
import type { Person } from './person.js'

const ACCOUNT = '15550001111'
let emu: Emulator
let client: LinkedClient
let phone: Person
let ann: Person

const upsert = (id: string) => (d: { messages: WAMessage[] }) => d.messages.some((m) => m.key.id === id)
const got = (id: string): WAMessage => client.events.flatMap((e) => (e.name === 'messages.upsert' ? (e.data as { messages: WAMessage[] }).messages : [])).find((m) => m.key.id === id)!
const textOf = (m: WAMessage | { message?: unknown }): string | undefined => {
  const msg = (m as WAMessage).message
  return msg?.conversation ?? msg?.extendedTextMessage?.text ?? undefined
}

before(async () => {
  emu = await startEmulator()
  ann = emu.person({ phone: '15550002222', name: 'Ann' })
  client = await linkClient(emu, ACCOUNT, { defaultQueryTimeoutMs: 3000 })
  phone = emu.phoneOf(ACCOUNT)
})

after(async () => {
  client?.end()
  await emu?.close()
})

test('SELF-1 MUST: a message the linked device sends to the own phone-number JID shows on the phone, in the self chat', async () => {
  const sent = await client.sock.sendMessage(phone.jid, { text: 'note to self' })
  const shown = await phone.waitForSelf((m) => m.id === sent!.key.id)
  assert.equal(textOf(shown), 'note to self')
  assert.equal(shown.chat, phone.jid)
})

test('SELF-2 MUST: a message the linked device sends to the own LID shows on the phone, in the self chat', async () => {
  const sent = await client.sock.sendMessage(phone.lid, { text: 'note to self, by LID' })
  const shown = await phone.waitForSelf((m) => m.id === sent!.key.id)
  assert.equal(textOf(shown), 'note to self, by LID')
  assert.equal(shown.chat, phone.lid)
})

test('SELF-3 MUST: what the linked device sends to another person is not in the self chat', async () => {
  const other = await client.sock.sendMessage(ann.jid, { text: 'for Ann' })
  await ann.waitFor((m) => m.id === other!.key.id)
  const marker = await client.sock.sendMessage(phone.jid, { text: 'after Ann' })
  await phone.waitForSelf((m) => m.id === marker!.key.id)
  assert.ok(!phone.selfChat.some((m) => m.id === other!.key.id), 'a send to Ann showed in the self chat')
})

test('SELF-4 MUST: the phone writing in the self chat reaches the linked device as its own message there', async () => {
  const s = await phone.fromMeText(phone.jid, '1')
  await client.waitFor('messages.upsert', upsert(s.id))
  const m = got(s.id)
  assert.equal(m.key.fromMe, true)
  assert.equal(m.key.remoteJid, phone.jid)
  assert.equal(textOf(m), '1')
})

test('SELF-5 MUST: a reply on the phone quoting what the linked device wrote there carries the quote', async () => {
  const prompt = await client.sock.sendMessage(phone.jid, { text: 'a prompt' })
  await phone.waitForSelf((m) => m.id === prompt!.key.id)
  const s = await phone.fromMeText(phone.jid, '2 not today', { quoted: { key: { id: prompt!.key.id!, fromMe: true }, text: 'a prompt' } })
  await client.waitFor('messages.upsert', upsert(s.id))
  const m = got(s.id)
  assert.equal(m.key.fromMe, true)
  assert.equal(m.key.remoteJid, phone.jid)
  assert.equal(textOf(m), '2 not today')
  const ctx = m.message?.extendedTextMessage?.contextInfo
  assert.equal(ctx?.stanzaId, prompt!.key.id)
  assert.equal(ctx?.participant, phone.jid)
})

test('SELF-6 MUST: the phone writing in the self chat by LID reaches the linked device in the LID chat, with the phone number beside it', async () => {
  const s = await phone.fromMeText(phone.lid, 'by lid', { addressing: 'lid' })
  await client.waitFor('messages.upsert', upsert(s.id))
  const m = got(s.id)
  assert.equal(m.key.fromMe, true)
  assert.equal(m.key.remoteJid, phone.lid)
  assert.equal(m.key.remoteJidAlt, phone.jid)
  assert.equal(textOf(m), 'by lid')
})

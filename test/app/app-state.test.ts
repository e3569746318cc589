// App-state from the phone (contact names, archive, pin, mute) reaches the store, at link time and live.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { startEmulator, type Emulator } from '../emulator/emulator.js'
import type { Person } from '../emulator/person.js'
import { call, until } from '../helpers/server-process.js'
import { startLinkedServer, type LinkedServer } from '../helpers/link.js'

const ACCOUNT = '15550001111'
let emu: Emulator
let linked: LinkedServer
let client: Client
let alice: Person
let bob: Person
let carol: Person

const chat = async (jid: string) => (await call(client, 'get_chat_by_id', { jid })).data.chat as { archived?: boolean; pinned?: boolean; name?: string }

before(async () => {
  emu = await startEmulator()
  alice = emu.person({ phone: '15550002222', name: 'Ali' })
  bob = emu.person({ phone: '15550003333', name: 'Bob' })
  carol = emu.person({ phone: '15550004444', name: 'Carol' })
  const now = Math.floor(Date.now() / 1000)
  emu.setHistory(ACCOUNT, { chats: [alice, bob, carol].map((p, i) => ({ jid: p.phone, messages: [{ text: `hi ${i}`, ts: now - 600 + i }] })) })
  // the phone's address book and chat settings, made before this server links
  await emu.appStateChange(ACCOUNT, [{ jid: alice.jid, mod: { contact: { fullName: 'Alice Address-Book', firstName: 'Alice' } } }])
  linked = await startLinkedServer(emu, ACCOUNT)
  client = linked.client
})

after(async () => {
  await linked?.close()
  await emu?.close()
})

test('contact names the phone had are in the store after linking', async () => {
  await until(async () => ((await call(client, 'get_contact_by_id', { jid: alice.jid })).data.contact as { name: string | null } | undefined)?.name === 'Alice Address-Book', 20_000, 'the address-book name')
  assert.equal((await chat(alice.jid)).name, 'Alice Address-Book')
})

test('a chat pinned on the phone is pinned in the store', async () => {
  await emu.appStateChange(ACCOUNT, [{ jid: carol.jid, mod: { pin: true } }])
  await until(async () => (await chat(carol.jid)).pinned, 20_000, 'the pin')
})

test('a chat archived and unarchived on the phone follows live', async () => {
  await emu.appStateChange(ACCOUNT, [{ jid: bob.jid, mod: { archive: true, lastMessages: [] } }])
  await until(async () => (await chat(bob.jid)).archived, 20_000, 'archived')
  await emu.appStateChange(ACCOUNT, [{ jid: bob.jid, mod: { archive: false, lastMessages: [] } }])
  await until(async () => !(await chat(bob.jid)).archived, 20_000, 'unarchived')
})

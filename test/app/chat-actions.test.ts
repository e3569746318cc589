// The chat tools through the real stack (SDK client -> server -> Baileys -> emulator): archive, pin, mute,
// unread and clear travel as app-state patches the emulated server verifies and keeps (the phone's own
// later changes still apply on top of them), and a poll vote reaches the person who asked.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { decryptPollVote } from '@whiskeysockets/baileys'
import { startEmulator, type Emulator } from '../emulator/emulator.js'
import type { PushedMutation } from '../emulator/app-state.js'
import type { Person } from '../emulator/person.js'
import { call, until } from '../helpers/server-process.js'
import { startLinkedServer, type LinkedServer } from '../helpers/link.js'

const ACCOUNT = '15550008001'
let emu: Emulator
let linked: LinkedServer
let client: Client
let ada: Person
let bob: Person
let carol: Person

const ok = async (name: string, args: Record<string, unknown>) => {
  const r = await call(client, name, args)
  assert.equal(r.ok, true, `${name}: ${JSON.stringify(r.data)}`)
  return r.data
}
const code = async (name: string, args: Record<string, unknown>) => (await call(client, name, args)).data.code
const chat = async (jid: string) => (await ok('get_chat_by_id', { jid })).chat as { archived?: true; pinned?: true; marked_unread?: true; unread_count: number }

/** the next patch the account's client pushes for `action`, as the emulated server decoded it */
function pushed(action: string, timeoutMs = 15_000): Promise<PushedMutation> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emu.off('app-state-patch', on)
      reject(new Error(`no ${action} patch reached the server`))
    }, timeoutMs)
    const on = (p: { phone: string; mutations: PushedMutation[] }) => {
      const m = p.mutations.find((x) => x.index[0] === action)
      if (p.phone !== ACCOUNT || !m) return
      emu.off('app-state-patch', on)
      clearTimeout(timer)
      resolve(m)
    }
    emu.on('app-state-patch', on)
  })
}

before(async () => {
  emu = await startEmulator()
  ada = emu.person({ phone: '15550008002', name: 'Ada' })
  bob = emu.person({ phone: '15550008003', name: 'Bob' })
  carol = emu.person({ phone: '15550008004', name: 'Carol' })
  const now = Math.floor(Date.now() / 1000)
  emu.setHistory(ACCOUNT, { chats: [ada, bob, carol].map((p, i) => ({ jid: p.phone, messages: [{ text: `hello ${i}`, id: `H${i}`, ts: now - 600 + i }] })) })
  linked = await startLinkedServer(emu, ACCOUNT)
  client = linked.client
  await until(async () => (await call(client, 'get_chat_by_id', { jid: carol.jid })).ok, 20_000, 'history stored')
  // a chat change needs the app-state key the phone shares after linking: until then it is APP_STATE_NOT_READY
  await until(async () => {
    const r = await call(client, 'update_chat', { chat_id: carol.jid, pin: false })
    if (!r.ok) assert.equal(r.data.code, 'APP_STATE_NOT_READY', JSON.stringify(r.data))
    return r.ok
  }, 20_000, 'the app-state key')
})

after(async () => {
  await linked?.close()
  await emu?.close()
})

test('update_chat archive and pin reach the phone as verified patches, and the store follows', async () => {
  const archived = pushed('archive')
  await ok('update_chat', { chat_id: ada.jid, archive: true })
  assert.equal((await archived).action.archiveChatAction?.archived, true)
  assert.equal((await chat(ada.jid)).archived, true)
  const pinned = pushed('pin_v1')
  await ok('update_chat', { chat_id: bob.jid, pin: true })
  assert.equal((await pinned).action.pinAction?.pinned, true)
  assert.equal((await chat(bob.jid)).pinned, true)
  // the phone's next change is encoded on top of the client's: the client verifies and applies it
  await emu.appStateChange(ACCOUNT, [{ jid: ada.jid, mod: { archive: false, lastMessages: [] } }])
  await until(async () => !(await chat(ada.jid)).archived, 20_000, 'unarchived by the phone')
  const unpinned = pushed('pin_v1')
  await ok('update_chat', { chat_id: bob.jid, pin: false })
  assert.equal((await unpinned).action.pinAction?.pinned, false)
  assert.equal((await chat(bob.jid)).pinned, undefined)
})

test('update_chat mutes until a time, for ever, and unmutes', async () => {
  const until8h = Date.now() + 8 * 3600_000
  const timed = pushed('mute')
  const r = await ok('update_chat', { chat_id: ada.jid, mute_until: until8h })
  assert.equal(r.muted_until, until8h)
  const t = (await timed).action.muteAction!
  assert.equal(t.muted, true)
  assert.equal(Number(t.muteEndTimestamp), until8h)
  const ever = pushed('mute')
  assert.equal((await ok('update_chat', { chat_id: ada.jid, mute_until: 'forever' })).muted_until, -1)
  assert.equal(Number((await ever).action.muteAction!.muteEndTimestamp), -1)
  const off = pushed('mute')
  await ok('update_chat', { chat_id: ada.jid, mute_until: 'off' })
  assert.equal((await off).action.muteAction!.muted, false)
})

test('update_chat marks unread and read, and clear empties the chat here and on the phone', async () => {
  const unread = pushed('markChatAsRead')
  await ok('update_chat', { chat_id: carol.jid, mark_unread: true })
  assert.equal((await unread).action.markChatAsReadAction?.read, false)
  assert.equal((await chat(carol.jid)).marked_unread, true)
  await ok('update_chat', { chat_id: carol.jid, mark_unread: false })
  assert.equal((await chat(carol.jid)).marked_unread, undefined)
  const cleared = pushed('clearChat')
  await ok('update_chat', { chat_id: carol.jid, clear: true })
  await cleared
  assert.equal(await code('get_message_by_id', { message_id: `${carol.jid}:H2` }), 'MESSAGE_NOT_FOUND')
})

test('update_chat refuses an unknown chat, no change at all, and a mute that already ended', async () => {
  assert.equal(await code('update_chat', { chat_id: '15559990000@s.whatsapp.net', archive: true }), 'CHAT_NOT_FOUND')
  assert.equal(await code('update_chat', { chat_id: ada.jid }), 'INVALID_INPUT')
  assert.equal(await code('update_chat', { chat_id: ada.jid, mute_until: Date.now() - 1000 }), 'INVALID_INPUT')
  assert.equal(await code('update_chat', { chat_id: ada.jid, mute_until: 'sometimes' }), 'INVALID_INPUT')
})

test('vote_poll sends a vote the poll\'s author decrypts to the chosen option; bad options are refused', async () => {
  const poll = await ada.sendPoll(ACCOUNT, 'Lunch?', ['Pizza', 'Sushi'])
  const id = `${ada.jid}:${poll.id}`
  await until(async () => (await call(client, 'get_message_by_id', { message_id: id })).ok, 15_000, 'poll stored')
  const vote = ada.waitFor((p) => !!p.message.pollUpdateMessage)
  await ok('vote_poll', { message_id: id, options: ['Sushi'] })
  const v = (await vote).message.pollUpdateMessage!
  assert.equal(v.pollCreationMessageKey?.id, poll.id)
  const decoded = decryptPollVote(v.vote as never, { pollCreatorJid: ada.jid, pollMsgId: poll.id, pollEncKey: poll.secret, voterJid: `${ACCOUNT}@s.whatsapp.net` })
  assert.deepEqual(decoded.selectedOptions.map((h) => Buffer.from(h).toString('hex')), [createHash('sha256').update('Sushi').digest('hex')])
  assert.equal(await code('vote_poll', { message_id: id, options: ['Tacos'] }), 'INVALID_INPUT')
  assert.equal(await code('vote_poll', { message_id: id, options: ['Pizza', 'Sushi'] }), 'INVALID_INPUT')
  assert.equal(await code('vote_poll', { message_id: `${ada.jid}:H0`, options: ['Pizza'] }), 'INVALID_INPUT')
  assert.equal(await code('vote_poll', { message_id: `${ada.jid}:NOPE`, options: ['Pizza'] }), 'MESSAGE_NOT_FOUND')
})

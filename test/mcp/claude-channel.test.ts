// The Claude Code channel: a new message of a chosen chat reaches a listening 2025 session as
// notifications/claude/channel; other chats are never pushed; without the setting nothing is advertised.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { z } from 'zod'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { startEmulator, type Emulator } from '../emulator/emulator.js'
import type { Person } from '../emulator/person.js'
import { startServerProcess, until } from '../helpers/server-process.js'
import { startLinkedServer, type LinkedServer } from '../helpers/link.js'
import { channelChats } from '../../src/mcp/claude-channel.js'

const ACCOUNT = '15550008101'
let emu: Emulator
let linked: LinkedServer
let client: Client
let ada: Person
let bob: Person
const heard: Array<{ content: string; meta: Record<string, string> }> = []
const ChannelNotification = z.object({ method: z.literal('notifications/claude/channel'), params: z.object({ content: z.string(), meta: z.record(z.string(), z.string()) }) })

before(async () => {
  emu = await startEmulator()
  ada = emu.person({ phone: '15550008102', name: 'Ada' })
  bob = emu.person({ phone: '15550008103', name: 'Bob' })
  emu.setHistory(ACCOUNT, { chats: [{ jid: ada.phone, messages: [{ text: 'old news' }] }, { jid: bob.phone, messages: [{ text: 'older news' }] }] })
  linked = await startLinkedServer(emu, ACCOUNT, { CLAUDE_CHANNEL_CHATS: `+${ada.phone}` })
  client = linked.client
  client.setNotificationHandler(ChannelNotification, (n) => void heard.push(n.params))
})

after(async () => {
  await linked?.close()
  await emu?.close()
})

test('the channel capability is advertised and a chosen chat\'s new message is pushed with who, what and where to answer', async () => {
  assert.deepEqual(client.getServerCapabilities()?.experimental?.['claude/channel'], {})
  assert.match(client.getInstructions() ?? '', /<channel source="whatsapp"/)
  // the GET stream opens after initialize: wait until the server has it before anyone writes
  await new Promise((r) => setTimeout(r, 500))
  const m = await ada.sendText(ACCOUNT, 'are you there?')
  await until(() => heard.length > 0, 20_000, 'the channel event')
  const e = heard[0]!
  assert.equal(e.content, 'Ada: are you there?')
  assert.equal(e.meta.chat_id, ada.jid)
  assert.equal(e.meta.message_id, `${ada.jid}:${m.id}`)
  assert.equal(e.meta.sender_name, 'Ada')
  assert.ok(Object.keys(e.meta).every((k) => /^[a-z_]+$/.test(k)), 'meta keys are plain identifiers')
})

test('a chat that was not chosen is never pushed, and the history is not pushed again', async () => {
  const before = heard.length
  await bob.sendText(ACCOUNT, 'not for the channel')
  const m = await ada.sendText(ACCOUNT, 'second one')
  await until(() => heard.some((e) => e.meta.message_id === `${ada.jid}:${m.id}`), 20_000, 'the second event')
  const since = heard.slice(before)
  assert.deepEqual(since.map((e) => e.content), ['Ada: second one'])
  assert.ok(!heard.some((e) => /news/.test(e.content)), 'history messages are not channel events')
})

test('without CLAUDE_CHANNEL_CHATS the capability is not advertised', async () => {
  assert.equal(channelChats([]), undefined)
  assert.equal(channelChats(['*']), '*')
  assert.deepEqual([...(channelChats(['+1 555 000 1111', 'nonsense']) as Set<string>)], ['15550001111@s.whatsapp.net'])
  const server = await startServerProcess(emu)
  try {
    const c = await server.mcp()
    assert.equal(c.getServerCapabilities()?.experimental, undefined)
    await c.close()
  } finally {
    await server.stop()
  }
})

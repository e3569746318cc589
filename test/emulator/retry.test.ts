// Retry receipts between the real server and the emulated people, both ways, each with a session broken on
// one side on purpose: the message must arrive after the retry, as on the real service.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import Database from 'better-sqlite3'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { startEmulator, type Emulator } from './emulator.js'
import type { Person } from './person.js'
import type { RetryEvent } from './retry.js'
import { call, startServerProcess, until, type ServerProcess } from '../helpers/server-process.js'
import { linkViaMcp } from '../helpers/link.js'

const ACCOUNT = '15550001111'
let emu: Emulator
let server: ServerProcess
let client: Client
let friend: Person
const retries: RetryEvent[] = []
const failures: string[] = []

const textOf = (m: { message: { conversation?: string | null; extendedTextMessage?: { text?: string | null } | null } }) => m.message.conversation ?? m.message.extendedTextMessage?.text
const ready = async () => ((await (await fetch(`${server.url}/api/status`)).json()) as { whatsapp: { ready: boolean } }).whatsapp.ready
const stored = (chat: string, text: string) =>
  until(async () => ((await call(client, 'list_messages', { chat_id: chat, limit: 100 })).data.messages as Array<{ body?: string }> | undefined)?.some((x) => x.body === text), 30_000, `the server to store "${text}"`, 200)
const send = async (chat: string, text: string) => assert.equal((await call(client, 'send_message', { recipient_jid: chat, message: text })).ok, true)

/** both ways once, so both sides hold a working session */
async function converse(tag: string): Promise<void> {
  await friend.sendText(ACCOUNT, `${tag} from friend`)
  await stored(friend.jid, `${tag} from friend`)
  await send(friend.jid, `${tag} to friend`)
  await friend.waitFor((m) => textOf(m) === `${tag} to friend`)
}

before(async () => {
  emu = await startEmulator()
  emu.on('retry-receipt', (r: RetryEvent) => retries.push(r))
  emu.on('decrypt-error', (e: { err: Error }) => failures.push(e.err.message))
  friend = emu.person({ phone: '15550002222', name: 'Friend' })
  server = await startServerProcess(emu)
  client = await server.mcp()
  await linkViaMcp(client, emu, ACCOUNT)
  await converse('first')
})

after(async () => {
  await client?.close().catch(() => undefined)
  await server?.stop()
  await emu?.close()
})

test('RETRY-1 MUST: a person who cannot decrypt what the server sent asks for a retry with its keys, and reads it on a new session', async () => {
  retries.length = 0
  failures.length = 0
  await friend.dropSessionsWith(ACCOUNT)
  await send(friend.jid, 'sent to a phone that lost its session')
  const m = await friend.waitFor((x) => textOf(x) === 'sent to a phone that lost its session', 20_000)
  assert.equal(m.from.split('@')[0]!.split(':')[0], ACCOUNT)
  assert.equal(failures.length, 1, `one failure, healed: ${failures.join('; ')}`)
  assert.deepEqual(retries.map((r) => [r.direction, r.count, r.withKeys]), [['to-client', 1, true]])
  assert.deepEqual(emu.retries.unhealed(), [])
  await converse('after the retry')
})

test("RETRY-3 MUST: a group member who lost the server's sender key asks for a retry, and reads the group message sent again with the key", async () => {
  const pal = emu.person({ phone: '15550003333', name: 'Pal' })
  const group = emu.createGroup('Retry Club', friend, [ACCOUNT, pal]).id
  await friend.sendText(group, 'hello group')
  await stored(group, 'hello group')
  await send(group, 'ours, with our sender key')
  await Promise.all([friend, pal].map((p) => p.waitFor((m) => textOf(m) === 'ours, with our sender key')))
  retries.length = 0
  failures.length = 0
  friend.dropGroupKeys()
  await send(group, 'ours, after the friend lost our key')
  await Promise.all([friend, pal].map((p) => p.waitFor((m) => textOf(m) === 'ours, after the friend lost our key', 20_000)))
  assert.equal(failures.length, 1, `one failure, healed: ${failures.join('; ')}`)
  assert.deepEqual(retries.map((r) => [r.direction, r.person, r.count]), [['to-client', friend.phone, 1]])
  assert.deepEqual(emu.retries.unhealed(), [])
})

test('RETRY-2 MUST: the server that lost its session with a person sends retry receipts; the person re-sends on a new session from their keys and the message is stored', async () => {
  // the server's session with the friend goes while it is stopped: it cannot decrypt the friend's next message
  await client.close()
  await server.stop()
  const db = new Database(`${server.dataDir}/session/auth.sqlite`)
  const removed = db.prepare("DELETE FROM keys WHERE type = 'session' AND id LIKE ?").run(`${friend.lid.split('@')[0]}_%`).changes
  db.close()
  assert.ok(removed >= 1, 'the server had a session with the friend')
  server = await startServerProcess(emu, {}, server.dataDir)
  client = await server.mcp()
  await until(ready, 40_000, 'ready after the restart', 200)
  retries.length = 0
  const sent = await friend.sendText(ACCOUNT, 'sent on a session the server lost')
  await stored(friend.jid, 'sent on a session the server lost')
  const asked = retries.filter((r) => r.direction === 'from-client' && r.id === sent.id)
  assert.ok(asked.length >= 1, 'the server asked for the message again')
  assert.equal(asked.at(-1)!.withKeys, true, 'the last retry carried the keys the new session was built from')
  assert.ok(server.logs.some((l) => typeof l.msg === 'string' && /failed to decrypt/.test(l.msg)), 'the server failed first')
  await converse('after the server retry')
})

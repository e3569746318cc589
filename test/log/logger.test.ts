// One log format across every thread: a real server linked to the emulator logs from the main thread (and
// its parts), the WhatsApp worker (ours and Baileys') and the pool; every line is JSON with no key twice,
// `level` as a pino level name, `time` as ISO 8601, and `thread` saying where it came from.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startEmulator, type Emulator } from '../emulator/emulator.js'
import { call, until } from '../helpers/server-process.js'
import { startLinkedServer, type LinkedServer } from '../helpers/link.js'
import { parseStrictJson } from '../helpers/strict-json.js'

const ACCOUNT = '15550001111'
const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal'])
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/
let emu: Emulator
let linked: LinkedServer

before(async () => {
  emu = await startEmulator()
  // Baileys at info: its own lines (it logs through the logger we hand it) are in the scan too
  linked = await startLinkedServer(emu, ACCOUNT, { LOG_LEVEL: 'debug', BAILEYS_LOG_LEVEL: 'info' })
})

after(async () => {
  await linked?.close()
  await emu?.close()
})

test('the strict reader finds the duplicate key JSON.parse hides', () => {
  const line = '{"level":"info","actor":"main","actor":"recovery","msg":"x"}'
  assert.equal((JSON.parse(line) as { actor: string }).actor, 'recovery')
  assert.throws(() => parseStrictJson(line), /duplicate key "actor"/)
  assert.throws(() => parseStrictJson('{"a":{"b":1,"b":2}}'), /duplicate key "b"/)
  assert.deepEqual(parseStrictJson('{"a":[1,{"b":"\\"x\\""}],"c":null}'), { a: [1, { b: '"x"' }], c: null })
})

test('every line of every thread is JSON with one key each, the same level names and time format', async () => {
  const { server, client } = linked
  // work for each thread: a send (the WhatsApp worker), a search (the pool), an admin call (main)
  const ada = emu.person({ phone: '447700900123', name: 'Ada Lovelace' })
  assert.equal((await call(client, 'send_message', { recipient_jid: ada.jid, message: 'hello' })).ok, true)
  await ada.waitFor((m) => m.message.conversation === 'hello' || m.message.extendedTextMessage?.text === 'hello')
  await call(client, 'search_messages', { query: 'hello' })
  await fetch(`${server.url}/api/nope`)
  await until(() => server.lines.some((l) => l.includes('"thread":"pool"')), 15_000, 'a pool thread line')
  await until(() => server.lines.some((l) => l.includes('"actor":"baileys"')), 15_000, 'a Baileys line')
  const lines = [...server.lines]
  const threads = new Map<string, number>()
  const actors = new Set<string>()
  for (const line of lines) {
    let entry: Record<string, unknown>
    try {
      entry = parseStrictJson(line) as Record<string, unknown>
    } catch (err) {
      assert.fail(`${(err as Error).message}\n  in: ${line.slice(0, 300)}`)
    }
    assert.ok(LEVELS.has(entry.level as string), `level as a name: ${line.slice(0, 200)}`)
    assert.match(String(entry.time), ISO, `time as ISO 8601: ${line.slice(0, 200)}`)
    assert.ok(['main', 'wa-worker', 'pool'].includes(entry.thread as string), `a thread: ${line.slice(0, 200)}`)
    threads.set(entry.thread as string, (threads.get(entry.thread as string) ?? 0) + 1)
    if (typeof entry.actor === 'string') actors.add(entry.actor)
  }
  assert.deepEqual([...threads.keys()].sort(), ['main', 'pool', 'wa-worker'], JSON.stringify([...threads]))
  // the parts of the main thread keep their names beside the thread's
  for (const a of ['recovery', 'baileys']) assert.ok(actors.has(a), `${a} in ${[...actors].join(', ')}`)
})

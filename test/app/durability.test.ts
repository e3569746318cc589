// Nothing WhatsApp counts as acknowledged, and nothing a tool reported as sent, is lost to a kill -9:
// the server is killed at the moment the emulator sees the acknowledgement (or the tool's answer), started
// again on the same data, and the store must hold what was acknowledged.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import Database from 'better-sqlite3'
import { join } from 'node:path'
import { startEmulator, type Emulator } from '../emulator/emulator.js'
import type { Person } from '../emulator/person.js'
import { call, startServerProcess, until, type ServerProcess } from '../helpers/server-process.js'
import { startLinkedServer } from '../helpers/link.js'

const ACCOUNT = '15550007001'
const HISTORY_MESSAGES = 3000
let emu: Emulator
let server: ServerProcess
let friend: Person

const storedIds = (dataDir: string, chat?: string): Set<string> => {
  const db = new Database(join(dataDir, 'store.sqlite'), { readonly: true, fileMustExist: true })
  try {
    const rows = (chat ? db.prepare('SELECT id FROM messages WHERE chat_jid = ?').all(chat) : db.prepare('SELECT id FROM messages').all()) as Array<{ id: string }>
    return new Set(rows.map((r) => r.id))
  } finally {
    db.close()
  }
}

const ready = async (): Promise<boolean> => ((await (await fetch(`${server.url}/api/status`)).json()) as { whatsapp: { ready: boolean } }).whatsapp.ready
const exited = (): Promise<unknown> => (server.child.exitCode !== null || server.child.signalCode ? Promise.resolve() : new Promise((r) => server.child.once('exit', r)))

/** a server that was killed, started again on the same data folder; resolves once WhatsApp is open */
async function startAgain(env = server.env): Promise<void> {
  server = await startServerProcess(emu, env, server.dataDir)
  await until(ready, 40_000, 'ready after the restart')
}

/** kill -9, then the same data folder again */
async function restart(env = server.env): Promise<void> {
  server.child.kill('SIGKILL')
  await exited()
  await startAgain(env)
}

before(async () => {
  emu = await startEmulator()
  friend = emu.person({ phone: '15550007002', name: 'Durable Friend' })
  // history in many small chunks, so a kill lands between chunk acknowledgements
  emu.setHistory(ACCOUNT, { generate: { chats: 30, messagesPerChat: HISTORY_MESSAGES / 30 }, chunkSize: 100 })
  let histAcks = 0
  const killedDuringHistory = new Promise<void>((resolve) => {
    const on = (a: { by: string }) => {
      if (a.by !== 'hist_sync' || ++histAcks !== 3) return
      emu.off('acknowledged', on)
      server.child.kill('SIGKILL')
      resolve()
    }
    emu.on('acknowledged', on)
  })
  const linked = await startLinkedServer(emu, ACCOUNT, { WA_KEY_SYNC_MS: '200' }).catch((err: unknown) => {
    // the kill may land while the link helper still waits for "ready"; the server object is what matters
    return { err }
  })
  if ('client' in linked) {
    server = linked.server
    await linked.client.close().catch(() => undefined)
  }
  await killedDuringHistory
  assert.ok(server, 'the server was started')
})

after(async () => {
  server?.child.kill('SIGKILL')
  await emu?.close()
})

test('an initial history sync interrupted by kill -9 continues after the restart and ends complete', async () => {
  const before = storedIds(server.dataDir).size
  assert.ok(before < HISTORY_MESSAGES, `the kill came before the sync ended (${before} stored)`)
  server = await startServerProcess(emu, server.env, server.dataDir)
  await until(async () => storedIds(server.dataDir).size >= HISTORY_MESSAGES, 60_000, 'the whole history after the restart').catch((err: Error) => {
    // A chunk that arrives again after the restart and cannot be decrypted (the Signal session on disk had
    // already used its key) is never stored nor acknowledged: the sync stalls until a retry receipt makes
    // the phone send it again. Say so, rather than a bare timeout.
    const failed = server.logs.filter((l) => /failed to decrypt/i.test(String(l.msg ?? ''))).map((l) => `${(l.key as { id?: string } | undefined)?.id}: ${(l.err as { message?: string } | undefined)?.message}`)
    throw new Error(`${err.message}; ${storedIds(server.dataDir).size} of ${HISTORY_MESSAGES} stored; ${failed.length ? `chunks that failed to decrypt: ${failed.join(', ')}` : 'no decrypt failure logged'}`)
  })
  // the receipt of the last chunk leaves after its commit, so just after the store holds everything
  const acked = () => emu.acknowledged.filter((a) => a.by === 'hist_sync').length
  await until(() => acked() >= HISTORY_MESSAGES / 100, 20_000, 'every chunk acknowledged').catch(() => undefined)
  assert.ok(acked() >= HISTORY_MESSAGES / 100, `every chunk acknowledged (${acked()})`)
})

test('a message whose delivery receipt went out is in the store after a kill -9 at that moment, every time', async () => {
  await until(ready, 40_000, 'ready')
  for (let round = 0; round < 4; round++) {
    const acked = new Promise<string>((resolve) => {
      const on = (a: { by: string; id: string }) => {
        if (a.by !== 'receipt') return
        emu.off('acknowledged', on)
        // the kill goes out the moment the emulator reads the receipt
        server.child.kill('SIGKILL')
        resolve(a.id)
      }
      emu.on('acknowledged', on)
    })
    const sent = await friend.sendText(ACCOUNT, `durable ${round}`)
    const id = await acked
    assert.equal(id, sent.id)
    await exited()
    assert.ok(storedIds(server.dataDir).has(sent.id), `round ${round}: the acknowledged message ${sent.id} is stored`)
    await startAgain()
  }
})

test('a message that arrived while the server was down, or was never acknowledged, is delivered after the restart', async () => {
  server.child.kill('SIGKILL')
  await exited()
  const m = await friend.sendText(ACCOUNT, 'while you were away')
  server = await startServerProcess(emu, server.env, server.dataDir)
  await until(async () => storedIds(server.dataDir).has(m.id), 30_000, 'the message sent during the outage')
})

test('send_message answers only after its message is committed: a kill -9 right after the answer loses nothing', async () => {
  // slow store writes: without the write barrier the answer would come long before the commit
  await restart({ ...server.env, STORE_WRITE_DELAY_MS: '300' })
  for (let round = 0; round < 3; round++) {
    const client = await server.mcp()
    const r = await call(client, 'send_message', { recipient_jid: friend.jid, message: `reported ${round}`, idempotency_key: `durable-${round}` })
    server.child.kill('SIGKILL')
    assert.equal(r.ok, true, JSON.stringify(r.data))
    const id = String(r.data.message_id).split(':').at(-1)!
    await exited()
    assert.ok(storedIds(server.dataDir).has(id), `round ${round}: the reported message ${id} is stored`)
    await startAgain()
  }
})

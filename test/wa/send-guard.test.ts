// The send guard: joins, conflicts, and (found by the crash harness, where such a retry reached the
// recipient a second time) an idempotent send that was cut, the process dying after the message left and
// before the answer, is retried under the same WhatsApp message id, so the recipient sees one message.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SendGuard, fingerprint } from '../../src/wa/send-guard.js'
import { IdempotencyStore } from '../../src/store/idempotency-store.js'
import { AppError } from '../../src/errors/app-error.js'
import { startEmulator, type Emulator } from '../emulator/emulator.js'
import { startLinkedServer } from '../helpers/link.js'
import { call, startServerProcess, until, type ServerProcess } from '../helpers/server-process.js'

const guard = () => new SendGuard(new IdempotencyStore(join(mkdtempSync(join(tmpdir(), 'guard-')), 'idem.sqlite'), 60_000), () => 0)

test('concurrent calls with one idempotency key and the same content join one send', async () => {
  const g = guard()
  let sends = 0
  let release!: () => void
  const gate = new Promise<void>((r) => (release = r))
  const send = async () => {
    sends++
    await gate
    return { id: 'M1' }
  }
  const a = g.run('send_message', fingerprint('x', 'hello'), 'k1', send)
  const b = g.run('send_message', fingerprint('x', 'hello'), 'k1', send)
  release()
  const [ra, rb] = await Promise.all([a, b])
  assert.equal(sends, 1)
  assert.deepEqual([ra.deduplicated, rb.deduplicated], [false, true])
  assert.equal(rb.result.id, 'M1')
})

test('a concurrent call with the key in flight for other content is IDEMPOTENCY_KEY_CONFLICT and sends nothing (issue: joined the first call)', async () => {
  const g = guard()
  let sends = 0
  let release!: () => void
  const gate = new Promise<void>((r) => (release = r))
  const first = g.run('send_message', fingerprint('x', 'hello'), 'k2', async () => {
    sends++
    await gate
    return { id: 'M1' }
  })
  await assert.rejects(
    g.run('send_message', fingerprint('x', 'something else'), 'k2', async () => {
      sends++
      return { id: 'M2' }
    }),
    (e: unknown) => e instanceof AppError && e.code === 'IDEMPOTENCY_KEY_CONFLICT'
  )
  await assert.rejects(g.run('send_media', fingerprint('x', 'hello'), 'k2', async () => ({ id: 'M3' })), (e: unknown) => e instanceof AppError && e.code === 'IDEMPOTENCY_KEY_CONFLICT')
  release()
  assert.equal((await first).result.id, 'M1')
  assert.equal(sends, 1)
  // and after it finished, the stored key says the same
  await assert.rejects(g.run('send_message', fingerprint('x', 'something else'), 'k2', async () => ({ id: 'M4' })), (e: unknown) => e instanceof AppError && e.code === 'IDEMPOTENCY_KEY_CONFLICT')
})

const step = (s: string): void => void (process.env.DEBUG_GUARD && console.error('step', s))
const dir = mkdtempSync(join(tmpdir(), 'wams-guard-'))
let emu: Emulator | undefined
let server: ServerProcess | undefined
after(async () => {
  server?.child.kill('SIGKILL')
  await emu?.close()
  rmSync(dir, { recursive: true, force: true })
})

test('a keyed send whose process died before it answered is sent again under the id it first chose', async () => {
  const file = join(dir, 'idempotency.sqlite')
  const first = new IdempotencyStore(file, 60_000)
  const ids: string[] = []
  // the first attempt never returns: the process is gone before the answer
  void new SendGuard(first, () => 0).run('send_message', 'print', 'k1', (id) => {
    ids.push(id)
    return new Promise(() => undefined)
  })
  first.close()
  const again = new IdempotencyStore(file, 60_000)
  const r = await new SendGuard(again, () => 0).run('send_message', 'print', 'k1', async (id) => {
    ids.push(id)
    return { id }
  })
  assert.equal(ids.length, 2)
  assert.equal(ids[1], ids[0], 'the retry carries the first attempt\'s message id')
  assert.deepEqual(r, { result: { id: ids[0] }, deduplicated: false })
  const third = await new SendGuard(again, () => 0).run('send_message', 'print', 'k1', async () => assert.fail('answered sends are not sent again'))
  assert.equal(third.deduplicated, true)
  await assert.rejects(new SendGuard(again, () => 0).run('send_message', 'other', 'k1', async () => ({})), /IDEMPOTENCY_KEY_CONFLICT|already used/)
  again.close()
})

test('send_message cut by kill -9 after its message left reaches the recipient once when retried with its key', async () => {
  emu = await startEmulator()
  const ACCOUNT = '15550008101'
  const friend = emu.person({ phone: '15550008102', name: 'Cut Friend' })
  // slow store writes keep the answer (and the key's record) well behind the message on the wire
  const linked = await startLinkedServer(emu, ACCOUNT, { STORE_WRITE_DELAY_MS: '400' })
  server = linked.server
  const killed = new Promise<string>((resolve) => {
    const on = (node: { tag: string; attrs: Record<string, string> }): void => {
      if (process.env.DEBUG_GUARD) console.error('stanza', node.tag, JSON.stringify(node.attrs))
      if (node.tag !== 'message' || !node.attrs.to?.startsWith(friend.phone)) return
      emu!.off('stanza', on)
      server!.child.kill('SIGKILL')
      resolve(node.attrs.id!)
    }
    emu!.on('stanza', on)
  })
  const cut = call(linked.client, 'send_message', { recipient_jid: friend.jid, message: 'only once', idempotency_key: 'cut-1' }).then(
    (r) => r,
    (err: Error) => err
  )
  const wireId = await killed
  step('killed')
  const first = await cut
  step('cut settled')
  assert.ok(first instanceof Error || !first.ok, 'the cut call did not answer success')
  if (server.child.exitCode === null && server.child.signalCode === null) await new Promise((r) => server!.child.once('exit', r))
  server = await startServerProcess(emu, server.env, server.dataDir)
  step('restarted')
  const client = await server.mcp()
  const r = await until(async () => {
    const x = await call(client, 'send_message', { recipient_jid: friend.jid, message: 'only once', idempotency_key: 'cut-1' })
    return x.ok ? x : undefined
  }, 40_000, 'the retry to succeed', 500)
  step('retried')
  assert.equal(String(r.data.message_id).split(':').at(-1), wireId, 'the retry sent the id the first attempt put on the wire')
  await friend.waitFor((m) => m.message.conversation === 'only once' || m.message.extendedTextMessage?.text === 'only once')
  await new Promise((res) => setTimeout(res, 1500))
  const got = friend.inbox.filter((m) => (m.message.conversation ?? m.message.extendedTextMessage?.text) === 'only once')
  assert.equal(got.length, 1, `the recipient shows the message once (${got.length})`)
  await client.close()
})

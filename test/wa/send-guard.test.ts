import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SendGuard, fingerprint } from '../../src/wa/send-guard.js'
import { IdempotencyStore } from '../../src/store/idempotency-store.js'
import { AppError } from '../../src/errors/app-error.js'

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

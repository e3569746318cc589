// A /healthz flip to 503 is in the log when it happens, whether or not anyone asked /healthz.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startServerProcess } from '../helpers/server-process.js'

test('WhatsApp unreachable past the grace: one "healthz turned 503" warn line with the reason, and /healthz agrees', async (t) => {
  // nothing listens on port 9: the worker keeps reconnecting and never gets ready
  const server = await startServerProcess(undefined, { WA_WS_URL: 'ws://127.0.0.1:9', WA_READINESS_GRACE_MS: '1000' })
  t.after(() => server.stop())
  const line = await server.waitLog((l) => l.msg === 'healthz turned 503', 20_000)
  assert.equal(line.level, 'warn')
  assert.equal(line.reason, 'stuck')
  assert.ok((line.not_ready_for_ms as number) > 1000)
  const r = await fetch(`${server.url}/healthz`)
  assert.equal(r.status, 503)
  assert.equal(((await r.json()) as { reason: string }).reason, 'stuck')
  assert.equal(server.logs.filter((l) => l.msg === 'healthz turned 503').length, 1)
})

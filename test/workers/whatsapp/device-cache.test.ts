// Baileys' device lists kept with the Signal keys: a list written before a restart is read after it, within
// Baileys' own lifetime for it; deletes and flushes are honoured; other keys are untouched.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openAuthStore } from '../../../workers/whatsapp/auth-store.js'
import { deviceCache, DEVICE_LIST_TTL_MS } from '../../../workers/whatsapp/device-cache.js'

const devices = (user: string, ...ids: number[]) => ids.map((device) => ({ user, device, server: 'lid' }))

test('a device list outlives a reopen of the auth store, until it is older than the TTL', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'devcache-'))
  try {
    const path = join(dir, 'auth.sqlite')
    let clock = 1_000_000
    const now = () => clock
    const a = openAuthStore(path, () => undefined)
    await a.keys.set({ session: { 'x.0': { _sessions: {}, version: 'v1' } as never } })
    const c1 = deviceCache(a.keys, DEVICE_LIST_TTL_MS, now)
    await c1.mset([{ key: '100', value: devices('100', 0, 1) }, { key: '200', value: devices('200', 0) }])
    assert.deepEqual(await c1.get('100'), devices('100', 0, 1))
    a.close()

    // a restart: a new store and a new cache over the same file
    const b = openAuthStore(path, () => undefined)
    const c2 = deviceCache(b.keys, DEVICE_LIST_TTL_MS, now)
    clock += DEVICE_LIST_TTL_MS - 1
    assert.deepEqual(await c2.mget(['100', '200', '300']), { '100': devices('100', 0, 1), '200': devices('200', 0) })
    await c2.del('200')
    assert.equal(await c2.get('200'), undefined)
    clock += 2
    assert.equal(await c2.get('100'), undefined, 'older than the TTL: fetched again')
    await c2.set('100', devices('100', 0))
    assert.deepEqual(await c2.get('100'), devices('100', 0))
    c2.flushAll()
    assert.equal(await c2.get('100'), undefined, 'nothing written before a flush is used')
    assert.ok((await b.keys.get('session', ['x.0']))['x.0'], 'the Signal keys are untouched')
    b.close()

    const c = openAuthStore(path, () => undefined)
    assert.equal(await deviceCache(c.keys, DEVICE_LIST_TTL_MS, now).get('200'), undefined, 'a delete is on disk')
    c.close()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

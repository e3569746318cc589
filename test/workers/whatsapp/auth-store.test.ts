// The auth store keeps what Baileys gives it and gives it back as Baileys expects: byte arrays as Buffers,
// app-state keys as proto objects, rows written as JSON by earlier versions still readable, across a reopen.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { BufferJSON, proto } from '@whiskeysockets/baileys'
import { openAuthStore } from '../../../workers/whatsapp/auth-store.js'

test('keys survive a reopen with their types; JSON rows of earlier versions still read; LID mappings are reported', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'auth-'))
  try {
    const path = join(dir, 'auth.sqlite')
    const mappings: Array<{ lid: string; pn: string }> = []
    const a = openAuthStore(path, (m) => mappings.push(...m))
    const session = { _sessions: { k: { registrationId: 7, currentRatchet: { rootKey: 'AAEC', previousCounter: 0 }, chain: [1, 2] } }, version: 'v1' }
    const keyData = proto.Message.AppStateSyncKeyData.fromObject({ keyData: new Uint8Array([1, 2, 3]), fingerprint: { rawId: 5, currentIndex: 1, deviceIndexes: [0, 1] }, timestamp: 1_700_000_000_000 })
    await a.keys.set({
      session: { 'a.0': session as never },
      'pre-key': { '1': { public: Buffer.from([1, 1]), private: new Uint8Array([2, 2]) } },
      'app-state-sync-key': { AAAA: keyData },
      'lid-mapping': { '15550002222': '200000000000001', '200000000000001_reverse': '15550002222' },
      'sender-key-memory': { 'g@g.us': { 'a@s.whatsapp.net': true } }
    })
    a.close()
    // a row as an earlier version wrote it
    const db = new Database(path)
    db.prepare('INSERT INTO keys(type, id, value) VALUES (?, ?, ?)').run('pre-key', '2', JSON.stringify({ public: Buffer.from([3]), private: Buffer.from([4]) }, BufferJSON.replacer))
    db.close()

    const b = openAuthStore(path, () => undefined)
    const got = await b.keys.get('session', ['a.0', 'missing'])
    assert.deepEqual(got, { 'a.0': session })
    const pre = await b.keys.get('pre-key', ['1', '2'])
    assert.ok(Buffer.isBuffer(pre['1']!.public) && Buffer.isBuffer(pre['1']!.private), 'byte arrays read back as Buffers')
    assert.deepEqual([...pre['1']!.private], [2, 2])
    assert.deepEqual([...pre['2']!.public, ...pre['2']!.private], [3, 4], 'a JSON row still reads')
    const ask = (await b.keys.get('app-state-sync-key', ['AAAA'])).AAAA!
    assert.ok(ask instanceof proto.Message.AppStateSyncKeyData)
    assert.deepEqual([...ask.keyData!], [1, 2, 3])
    assert.equal(Number(ask.timestamp), 1_700_000_000_000)
    assert.equal(ask.fingerprint?.rawId, 5)
    assert.deepEqual((await b.keys.get('sender-key-memory', ['g@g.us']))['g@g.us'], { 'a@s.whatsapp.net': true })
    assert.deepEqual(mappings, [{ pn: '15550002222@s.whatsapp.net', lid: '200000000000001@lid' }])
    await b.keys.set({ session: { 'a.0': null } })
    assert.deepEqual(await b.keys.get('session', ['a.0']), {}, 'null deletes')
    b.close()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a key rewritten, deleted, written again and cleared reads back as last written, also after a reopen', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'auth-'))
  try {
    const path = join(dir, 'auth.sqlite')
    const session = (n: number) => ({ _sessions: { k: { registrationId: n } }, version: 'v1' }) as never
    const a = openAuthStore(path, () => undefined)
    await a.keys.set({ session: { 'b.0': session(10) } })
    await a.keys.set({ session: { 'a.0': session(1) } })
    assert.deepEqual(await a.keys.get('session', ['a.0']), { 'a.0': session(1) })
    // rewrites of a known row, as for every decrypted message
    for (let n = 2; n <= 5; n++) await a.keys.set({ session: { 'a.0': session(n) } })
    await a.keys.set({ session: { 'a.0': null } })
    // SQLite gives c.0 the deleted row's rowid (a.0's was the highest): a.0 must not write through it
    await a.keys.set({ session: { 'c.0': session(30) } })
    await a.keys.set({ session: { 'a.0': session(6) } })
    await a.keys.set({ session: { 'a.0': session(7) } })
    assert.deepEqual(await a.keys.get('session', ['a.0', 'b.0', 'c.0']), { 'a.0': session(7), 'b.0': session(10), 'c.0': session(30) })
    await a.keys.clear!()
    // rowids start again from 1 after a clear: rows known before must not be written through them
    await a.keys.set({ session: { 'b.0': session(11) } })
    await a.keys.set({ session: { 'd.0': session(40) } })
    await a.keys.set({ session: { 'c.0': session(31) } })
    a.close()
    const db = new Database(path)
    assert.equal((db.prepare('SELECT count(*) AS n FROM keys').get() as { n: number }).n, 3, 'one row per key, none left behind')
    db.close()
    const b = openAuthStore(path, () => undefined)
    assert.deepEqual(await b.keys.get('session', ['a.0', 'b.0', 'c.0', 'd.0']), { 'b.0': session(11), 'c.0': session(31), 'd.0': session(40) })
    b.close()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

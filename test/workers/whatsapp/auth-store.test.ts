// The auth store keeps what Baileys gives it and gives it back as Baileys expects: byte arrays as Buffers,
// app-state keys as proto objects, rows written as JSON by earlier versions still readable, across a reopen.
// What a crash may lose is only receive-only session progress: the store is held by a process killed with
// SIGKILL, and the file is read afterwards.
import { test } from 'node:test'
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { BufferJSON, proto } from '@whiskeysockets/baileys'
import { openAuthStore } from '../../../workers/whatsapp/auth-store.js'
import { senderKeyRecord } from '../../helpers/signal-records.js'

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

/** a session as libsignal serializes it: one receiving chain and our sending chain, at these counters */
const signalSession = (received: number, sent: number) => ({
  _sessions: {
    base: {
      registrationId: 9,
      currentRatchet: { ephemeralKeyPair: { pubKey: 'ours', privKey: 'secret' }, lastRemoteEphemeralKey: 'theirs', previousCounter: 0, rootKey: 'root' },
      indexInfo: { baseKey: 'base', baseKeyType: 2, closed: -1, used: 1, created: 1, remoteIdentityKey: 'id' },
      _chains: {
        theirs: { chainKey: { counter: received, key: `r${received}` }, chainType: 2, messageKeys: {} },
        ours: { chainKey: { counter: sent, key: `s${sent}` }, chainType: 1, messageKeys: {} }
      }
    }
  },
  version: 'v1'
})

/** an auth store in a process of its own, to be killed without warning */
function storeProcess(path: string, syncMs = 600_000) {
  const child = spawn(process.execPath, [fileURLToPath(new URL('../../fixtures/auth-store-process.js', import.meta.url)), path, String(syncMs)], { stdio: ['pipe', 'pipe', 'inherit'] })
  const answers = createInterface({ input: child.stdout! })[Symbol.asyncIterator]()
  const ask = async (cmd: object): Promise<unknown> => {
    child.stdin!.write(`${JSON.stringify(cmd)}\n`)
    const line = await answers.next()
    if (line.done) throw new Error('the store process ended')
    return JSON.parse(line.value)
  }
  return {
    set: (data: object) => ask({ op: 'set', data }),
    get: (ids: string[], type = 'session') => ask({ op: 'get', type, ids }),
    sync: () => ask({ op: 'sync' }),
    kill: () => new Promise<void>((resolve) => {
      child.once('exit', () => resolve())
      child.kill('SIGKILL')
    })
  }
}

const onDisk = async (path: string, ids: string[], type: 'session' | 'sender-key' = 'session') => {
  const s = openAuthStore(path, () => undefined)
  try {
    return await s.keys.get(type, ids)
  } finally {
    s.close()
  }
}

test('a crash loses only receive-only session progress: a new session, a used sending chain and every other key are on disk before set() returns', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'auth-'))
  try {
    const path = join(dir, 'auth.sqlite')
    let p = storeProcess(path)
    await p.set({ session: { a: signalSession(0, -1) }, 'pre-key': { '1': { public: Buffer.from([1]), private: Buffer.from([2]) } } })
    await p.set({ session: { b: signalSession(0, -1) } })
    // receiving chains move forward: these wait, and are read back from memory meanwhile
    await p.set({ session: { a: signalSession(3, -1) } })
    await p.set({ session: { b: signalSession(1, -1) } })
    assert.deepEqual(await p.get(['a']), { a: signalSession(3, -1) })
    await p.kill()
    assert.deepEqual(await onDisk(path, ['a', 'b']), { a: signalSession(0, -1), b: signalSession(0, -1) }, 'receive-only progress lost, new sessions kept')

    p = storeProcess(path)
    // not read or written since this process opened the file: what the disk has is unknown, so it commits
    await p.set({ session: { a: signalSession(4, -1) } })
    assert.deepEqual(await p.get(['b']), { b: signalSession(0, -1) })
    await p.set({ session: { b: signalSession(2, -1) } })
    // a's sending chain encrypts its first message: on disk at once, with b's update that waited before it
    await p.set({ session: { a: signalSession(4, 0) } })
    await p.set({ session: { a: signalSession(6, 0) } })
    await p.kill()
    assert.deepEqual(await onDisk(path, ['a', 'b']), { a: signalSession(4, 0), b: signalSession(2, -1) })

    p = storeProcess(path)
    await p.get(['a', 'b'])
    await p.set({ session: { a: signalSession(7, 0) } })
    // a delete commits at once, after what waited
    await p.set({ session: { b: null } })
    await p.set({ session: { a: signalSession(8, 0) } })
    await p.sync()
    await p.set({ session: { a: signalSession(9, 0) } })
    await p.kill()
    assert.deepEqual(await onDisk(path, ['a', 'b']), { a: signalSession(8, 0) }, 'what waited is written by the sync')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test("a crash loses only a group sender's chain moving forward: our own sender key and a new state are on disk at once", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'auth-'))
  try {
    const path = join(dir, 'auth.sqlite')
    const theirs = 'g@g.us::friend::0'
    const ours = 'g@g.us::me::0'
    let p = storeProcess(path)
    await p.set({ 'sender-key': { [theirs]: senderKeyRecord([[7, 0]]) } })
    await p.set({ 'sender-key': { [ours]: senderKeyRecord([[1, 0]], true) } })
    await p.set({ 'sender-key': { [ours]: senderKeyRecord([[1, 1]], true) } })
    await p.set({ 'sender-key': { [theirs]: senderKeyRecord([[7, 5]]) } })
    assert.deepEqual(await p.get([theirs], 'sender-key'), JSON.parse(JSON.stringify({ [theirs]: senderKeyRecord([[7, 5]]) })), 'read back from memory')
    await p.kill()
    assert.deepEqual(await onDisk(path, [theirs, ours], 'sender-key'), { [theirs]: senderKeyRecord([[7, 0]]), [ours]: senderKeyRecord([[1, 1]], true) })

    p = storeProcess(path)
    await p.get([theirs], 'sender-key')
    // a distribution message brings a new state: at once; the chain moving on after it waits again
    await p.set({ 'sender-key': { [theirs]: senderKeyRecord([[7, 9], [8, 0]]) } })
    await p.set({ 'sender-key': { [theirs]: senderKeyRecord([[7, 9], [8, 4]]) } })
    await p.kill()
    assert.deepEqual(await onDisk(path, [theirs], 'sender-key'), { [theirs]: senderKeyRecord([[7, 9], [8, 0]]) })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

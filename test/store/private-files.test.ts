// Files: auth state, store, idempotency keys, settings, event logs and dead letters readable by this user
// only, their folders and MEDIA_DIR closed to everyone else, whatever the umask. A real server runs with
// umask 000 on a data folder an earlier careless run left open, links, receives, sends, writes its settings
// and rotates its event log; then every path is checked with stat.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { startEmulator } from '../emulator/emulator.js'
import { call, startServerProcess, until } from '../helpers/server-process.js'
import { linkViaMcp } from '../helpers/link.js'
import { looserThan, privatePaths, tightened } from '../../src/store/private-paths.js'
import { privateDatabase, tightenDataFiles } from '../../src/store/private-files.js'

const ACCOUNT = '15550001111'
const UMASK_000 = new URL('../fixtures/umask-open.js', import.meta.url).pathname
const modeOf = (p: string): number => statSync(p).mode & 0o777
const octal = (m: number): string => `0${m.toString(8)}`

test('mode arithmetic only ever takes bits away', () => {
  for (const [mode, wanted, looser, result] of [[0o644, 0o600, true, 0o600], [0o600, 0o600, false, 0o600], [0o400, 0o600, false, 0o400], [0o777, 0o700, true, 0o700], [0o711, 0o700, true, 0o700], [0o100666, 0o600, true, 0o600]] as const) {
    assert.equal(looserThan(mode, wanted), looser, octal(mode))
    assert.equal(tightened(mode, wanted), result, octal(mode))
  }
})

const configIn = (data: string, over: Partial<Record<string, string>> = {}) => ({
  DATA_DIR: data,
  SESSION_DIR: join(data, 'session'),
  MEDIA_DIR: join(data, 'media'),
  DB_PATH: join(data, 'store.sqlite'),
  AUTH_DB_PATH: join(data, 'session', 'auth.sqlite'),
  SETTINGS_PATH: join(data, 'settings.json'),
  WA_EVENT_STREAM_PATH: join(data, 'logs', 'wa-events.log'),
  ...over
})

test('only folders inside the data, session or media folder are ours to close', () => {
  for (const [over, ours, notOurs] of [
    [{}, ['/d', '/d/session', '/d/media'], []],
    [{ DB_PATH: '/srv/shared/store.sqlite' }, ['/d'], ['/srv/shared']],
    [{ SETTINGS_PATH: '/etc/wams/settings.json', WA_EVENT_STREAM_PATH: '/var/log/wa-events.log' }, ['/d'], ['/etc/wams', '/var/log']],
    [{ SESSION_DIR: '/keys/wa', AUTH_DB_PATH: '/keys/wa/auth.sqlite' }, ['/keys/wa'], ['/keys']],
    [{ DB_PATH: '/d-other/store.sqlite' }, ['/d'], ['/d-other']]
  ] as const) {
    const p = privatePaths(configIn('/d', over))
    for (const d of ours) assert.ok(p.dirs.includes(d), `${d} in ${JSON.stringify(over)}`)
    for (const d of notOurs) assert.ok(![...p.dirs, ...p.laterDirs].includes(d), `${d} not in ${JSON.stringify(over)}`)
  }
})

test('a shared folder a path points into keeps its mode: one outside the data folder, or a sticky one', () => {
  const root = mkdtempSync(join(tmpdir(), 'wams-shared-'))
  try {
    const data = join(root, 'data')
    const sticky = join(root, 'sticky')
    const shared = join(root, 'shared')
    mkdirSync(sticky)
    chmodSync(sticky, 0o1777)
    mkdirSync(shared)
    chmodSync(shared, 0o755)
    const config = configIn(data, { DB_PATH: join(shared, 'store.sqlite'), SETTINGS_PATH: join(sticky, 'settings.json') })
    tightenDataFiles(config)
    privateDatabase(config.DB_PATH)
    // even a data folder set to a sticky one (DATA_DIR=/tmp) leaves it shared
    tightenDataFiles(configIn(sticky))
    assert.equal(octal(statSync(sticky).mode & 0o7777), '01777')
    assert.equal(octal(modeOf(shared)), '0755')
    assert.equal(octal(modeOf(config.DB_PATH)), '0600')
    assert.equal(octal(modeOf(data)), '0700')
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
})

test('with umask 000, every private file is 0600 and every private folder 0700, old loose ones tightened at start', { timeout: 120_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'wams-modes-'))
  try {
    // what an earlier run with a careless umask left behind
    chmodSync(dataDir, 0o777)
    for (const d of ['session', 'logs', 'dead-letter']) mkdirSync(join(dataDir, d), { mode: 0o777 })
    for (const d of ['session', 'logs', 'dead-letter']) chmodSync(join(dataDir, d), 0o777)
    writeFileSync(join(dataDir, 'settings.json'), '{}', { mode: 0o666 })
    writeFileSync(join(dataDir, 'dead-letter', 'batch-1-1.json'), '{}', { mode: 0o644 })
    // an event log one event short of its 1 MB cap: the first events rotate it, and a new file is made
    writeFileSync(join(dataDir, 'logs', 'wa-events.log'), `${'x'.repeat(1024 * 1024 - 64)}\n`, { mode: 0o666 })
    for (const f of ['settings.json', 'dead-letter/batch-1-1.json', 'logs/wa-events.log']) chmodSync(join(dataDir, f), 0o666)

    const emu = await startEmulator()
    const friend = emu.person({ phone: '15550002222', name: 'Friend' })
    const server = await startServerProcess(emu, { WA_EVENT_STREAM: 'true', WA_EVENT_STREAM_MAX_MB: '1' }, dataDir, ['--import', UMASK_000])
    try {
      const client = await server.mcp()
      await linkViaMcp(client, emu, ACCOUNT)
      const m = await friend.sendText(ACCOUNT, 'hello')
      await until(async () => ((await call(client, 'list_messages', { chat_id: friend.jid })).data.messages as Array<{ id: string }>).some((x) => x.id === m.id), 20_000, 'stored')
      assert.equal((await call(client, 'send_message', { recipient_jid: friend.jid, message: 'hi', idempotency_key: 'modes-1' })).ok, true)
      const set = await fetch(`${server.url}/api/settings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ send_dedup_window_ms: 1000 }) })
      assert.equal(set.status, 200)
      await until(() => existsSync(join(dataDir, 'logs', 'wa-events.log.1')), 20_000, 'the event log rotated')
      await client.close()

      const tightenLines = server.logs.filter((l) => /^tightened \d+ data files/.test(String(l.msg)))
      assert.equal(tightenLines.length, 1, 'one line says what was tightened')
      for (const p of ['settings.json', 'logs', 'dead-letter', join('dead-letter', 'batch-1-1.json'), join('logs', 'wa-events.log')]) {
        assert.ok((tightenLines[0]!.paths as string[]).includes(join(dataDir, p)), `${p} in ${JSON.stringify(tightenLines[0])}`)
      }

      const expected: Array<[path: string, mode: number]> = [
        ['.', 0o700], ['session', 0o700], ['media', 0o700], ['logs', 0o700], ['dead-letter', 0o700],
        ['session/auth.sqlite', 0o600], ['session/auth.sqlite-wal', 0o600],
        ['store.sqlite', 0o600], ['store.sqlite-wal', 0o600], ['store.sqlite-shm', 0o600],
        ['idempotency.sqlite', 0o600], ['idempotency.sqlite-wal', 0o600], ['idempotency.sqlite-shm', 0o600],
        ['settings.json', 0o600], ['cursor.key', 0o600], ['logs/wa-events.log', 0o600], ['logs/wa-events.log.1', 0o600], ['dead-letter/batch-1-1.json', 0o600]
      ]
      for (const [p, mode] of expected) assert.equal(octal(modeOf(join(dataDir, p))), octal(mode), p)
      // and nothing else under the data folder (media aside: its folder closes it) is open to anyone else
      const walk = (d: string): string[] => readdirSync(d).flatMap((n) => {
        const p = join(d, n)
        return statSync(p).isDirectory() ? (n === 'media' && d === dataDir ? [] : [p, ...walk(p)]) : [p]
      })
      for (const p of walk(dataDir)) assert.equal(modeOf(p) & 0o077, 0, `${relative(dataDir, p)} is ${octal(modeOf(p))}`)
    } finally {
      await server.stop()
      await emu.close()
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
})

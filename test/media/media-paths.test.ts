// send_media media_path is no oracle for the rest of the disk: every path that leads outside MEDIA_DIR and
// MEDIA_ROOTS gets the same answer whether or not it exists, symlinks are followed before judging, and no
// error text carries an absolute server path.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startEmulator, type Emulator } from '../emulator/emulator.js'
import type { Person } from '../emulator/person.js'
import { call } from '../helpers/server-process.js'
import { startLinkedServer, type LinkedServer } from '../helpers/link.js'

const ACCOUNT = '15550004441'
let emu: Emulator
let linked: LinkedServer
let sam: Person
let media: string
let data: string

before(async () => {
  emu = await startEmulator()
  sam = emu.person({ phone: '15550004442', name: 'Sam' })
  linked = await startLinkedServer(emu, ACCOUNT)
  data = linked.server.dataDir
  media = join(data, 'media')
  const outside = join(data, 'outside')
  mkdirSync(outside, { recursive: true })
  writeFileSync(join(outside, 'secret.txt'), 'not for sending')
  mkdirSync(media, { recursive: true })
  writeFileSync(join(media, 'inside.txt'), 'fine to send')
  // links inside MEDIA_DIR that point out of it: to a folder, to a file, to a missing file, a loop
  symlinkSync(outside, join(media, 'out-dir'))
  symlinkSync(join(outside, 'secret.txt'), join(media, 'out-file'))
  symlinkSync(join(outside, 'missing.txt'), join(media, 'out-dangling'))
  symlinkSync(join(media, 'loop-b'), join(media, 'loop-a'))
  symlinkSync(join(media, 'loop-a'), join(media, 'loop-b'))
})

after(async () => {
  await linked?.close()
  await emu?.close()
})

const sendPath = async (p: string) => {
  const r = await call(linked.client, 'send_media', { recipient_jid: sam.jid, media_path: p })
  return { ok: r.ok, code: r.data.code as string | undefined, message: String(r.data.message ?? ''), text: JSON.stringify(r.data) }
}

// pairs: a path outside the roots that exists, and its twin that does not
const OUTSIDE = (): Array<[string, string]> => [
  ['/etc/passwd', '/etc/no-such-file-here'],
  ['/etc', '/no-such-dir/at/all'],
  [join(data, 'store.sqlite'), join(data, 'no-store.sqlite')],
  ['../store.sqlite', '../no-store.sqlite'],
  ['../outside/secret.txt', '../outside/missing.txt'],
  ['../../../../../../etc/hostname', '../../../../../../etc/no-hostname'],
  ['out-dir/secret.txt', 'out-dir/missing.txt'],
  ['out-file', 'out-dangling'],
  ['out-dir/../out-dir/secret.txt', 'out-dir/nested/missing/deeper.txt'],
  ['./out-dir//secret.txt', './out-dir/missing.txt/']
]

test('a media_path outside the roots gets one answer whether or not it exists, after following symlinks', async () => {
  for (const [there, missing] of OUTSIDE()) {
    const a = await sendPath(there)
    const b = await sendPath(missing)
    assert.equal(a.ok, false, there)
    assert.equal(a.code, 'MEDIA_PATH_FORBIDDEN', `${there}: ${a.text}`)
    assert.deepEqual(b, a, `${there} and ${missing} are told apart`)
  }
})

test('inside the roots a missing file is MEDIA_NOT_FOUND and a present one is sent; a symlink loop is refused', async () => {
  assert.equal((await sendPath('no-such.txt')).code, 'MEDIA_NOT_FOUND')
  assert.equal((await sendPath(join(media, 'deeper', 'no-such.txt'))).code, 'MEDIA_NOT_FOUND')
  const loop = await sendPath('loop-a')
  assert.equal(loop.ok, false)
  assert.ok(loop.code === 'MEDIA_NOT_FOUND' || loop.code === 'MEDIA_PATH_FORBIDDEN', loop.text)
  const ok = await sendPath('inside.txt')
  assert.equal(ok.ok, true, ok.text)
})

test('no media_path error carries an absolute server path', async () => {
  const paths = [...OUTSIDE().flat(), 'no-such.txt', 'loop-a', join(media, 'out-dir'), media]
  for (const p of paths) {
    const r = await sendPath(p)
    assert.equal(r.ok, false, p)
    for (const server of [data, media, '/etc']) assert.ok(!r.text.includes(server), `${p}: ${r.text}`)
  }
})

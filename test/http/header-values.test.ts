// CR, LF, quotes and control characters never reach a response header: nasty file names through /media,
// the message media download and the chat export, checked on the wire.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startEmulator, type Emulator } from '../emulator/emulator.js'
import type { Person } from '../emulator/person.js'
import { until } from '../helpers/server-process.js'
import { startLinkedServer, type LinkedServer } from '../helpers/link.js'
import { raw, type RawResponse } from '../helpers/raw-http.js'

const ACCOUNT = '15550003331'
let emu: Emulator
let linked: LinkedServer
let pat: Person

// names a sender or a file system can produce; each must come out as one harmless header line
const NASTY = [
  'plain.pdf',
  'quote"d.pdf',
  'evil\r\nSet-Cookie: pwn=1\r\nX-Injected: yes.pdf',
  'lf\nonly.txt',
  'tab\tand\u0001bell\u0007.txt',
  'back\\slash.txt',
  "semi;colon=x'; filename=other.txt",
  'ünïcødé 文件 📄.pdf',
  'line\u2028sep.txt',
  '"\r\n'
]

before(async () => {
  emu = await startEmulator()
  pat = emu.person({ phone: '15550003332', name: 'Pat' })
  linked = await startLinkedServer(emu, ACCOUNT)
})

after(async () => {
  await linked?.close()
  await emu?.close()
})

// the token a quoted-string may hold: printable ASCII without `"` and `\`
const DISPOSITION = /^(inline|attachment); filename="[\x20\x21\x23-\x5b\x5d-\x7e]*"(; filename\*=UTF-8''[A-Za-z0-9%!._~-]+)?$/

function assertSafe(res: RawResponse, name: string): void {
  assert.equal(res.status, 200, `${JSON.stringify(name)}: ${res.status} ${res.text.slice(0, 120)}`)
  assert.equal(res.headers['set-cookie'], undefined, `${JSON.stringify(name)}: a header was injected`)
  assert.equal(res.headers['x-injected'], undefined, `${JSON.stringify(name)}: a header was injected`)
  const cd = String(res.headers['content-disposition'])
  assert.match(cd, DISPOSITION, `${JSON.stringify(name)}: ${cd}`)
  for (const [k, v] of Object.entries(res.headers)) {
    for (const line of [v].flat()) assert.ok(!/[\u0000-\u001f\u007f]/.test(String(line)), `${k}: ${JSON.stringify(line)}`)
  }
  // the UTF-8 name, when given, is the original without its control characters
  const star = /filename\*=UTF-8''(.+)$/.exec(cd)?.[1]
  if (star) assert.equal(decodeURIComponent(star), name.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, '').trim())
}

test('/media/* serves files with any name under one safe content-disposition line', async () => {
  const dir = join(linked.server.dataDir, 'media', 'names')
  mkdirSync(dir, { recursive: true })
  for (const name of NASTY) {
    writeFileSync(join(dir, name), 'x')
    const res = await raw(linked.server.port, { path: `/media/names/${encodeURIComponent(name)}` })
    assertSafe(res, name)
  }
})

test('a document whose sender chose a nasty file name downloads under a safe content-disposition', async () => {
  for (const name of NASTY) {
    const sent = await pat.sendMedia(ACCOUNT, 'document', Buffer.from(`body of ${name}`), { fileName: name, mimetype: 'application/pdf' })
    const path = `/api/chats/${encodeURIComponent(pat.jid)}/messages/${encodeURIComponent(sent.id)}/media`
    const res = await until(async () => {
      const r = await raw(linked.server.port, { path })
      return r.status === 200 ? r : undefined
    }, 15_000, `the document ${JSON.stringify(name)}`)
    assertSafe(res, name)
    assert.equal(res.text, `body of ${name}`)
  }
})

test('the chat export is named by one safe content-disposition line', async () => {
  const res = await raw(linked.server.port, { path: `/api/export/chat/${encodeURIComponent(pat.jid)}` })
  assertSafe(res, `chat_${pat.jid.replace(/[^0-9a-z@.-]/gi, '_')}.zip`)
})

// The admin surface's auth, over real HTTP against the real server: the sign-in cookie holds a session id
// (never the token), its Secure flag, sign-in throttling, and /media behind ADMIN_TOKEN with signed links.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { call, startServerProcess, until, type ServerProcess } from '../helpers/server-process.js'
import { signQuery } from '../../src/media/media-link.js'
import { mediaRelPath } from '../../src/media/media-paths.js'
import { openWriter } from '../../src/store/open-db.js'
import { applyBatch } from '../../src/store/apply-batch.js'
import type { MessageRecord } from '../../src/store/batch.js'
import { readZip } from '../helpers/zip.js'

const TOKEN = 'admin-auth-test-token'
const NO_WA = { WA_WS_URL: 'ws://127.0.0.1:9/ws' }
/** TRUST_PROXY on: each test can speak from its own client address through X-Forwarded-For */
let main: ServerProcess
/** no proxy trusted, sessions that expire within seconds */
let short: ServerProcess
/** no ADMIN_TOKEN at all */
let open: ServerProcess

const get = (sp: ServerProcess, path: string, headers: Record<string, string> = {}) => fetch(`${sp.url}${path}`, { headers, redirect: 'manual' })
const signIn = (sp: ServerProcess, token: string, headers: Record<string, string> = {}) =>
  fetch(`${sp.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ token }) })
const setCookies = (r: Response): string[] => r.headers.getSetCookie()
const sessionCookie = (r: Response): string => setCookies(r).find((c) => c.startsWith('admin_session='))!
/** the name=value part, as a browser sends it back */
const pair = (cookie: string): string => cookie.split(';')[0]!
const code = async (r: Response): Promise<string> => ((await r.json()) as { error: { code: string } }).error.code

async function upload(sp: ServerProcess, name: string, body: string, headers: Record<string, string> = {}): Promise<{ url: string; saved_path: string }> {
  const r = await fetch(`${sp.url}/api/upload`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ data: Buffer.from(body).toString('base64'), filename: name }) })
  assert.equal(r.status, 201)
  return (await r.json()) as { url: string; saved_path: string }
}

before(async () => {
  ;[main, short, open] = await Promise.all([
    startServerProcess(undefined, { ...NO_WA, ADMIN_TOKEN: TOKEN, TRUST_PROXY: 'true' }),
    startServerProcess(undefined, { ...NO_WA, ADMIN_TOKEN: TOKEN, ADMIN_SESSION_TTL_MS: '1500' }),
    startServerProcess(undefined, NO_WA)
  ])
})

after(async () => {
  await Promise.all([main?.stop(), short?.stop(), open?.stop()])
})

test('the sign-in cookie holds a random session id, never the token; only live, issued ids get in', async () => {
  const from = { 'x-forwarded-for': '198.51.100.1' }
  const r = await signIn(main, TOKEN, from)
  assert.equal(r.status, 200)
  const cookie = sessionCookie(r)
  assert.ok(!setCookies(r).some((c) => c.includes(TOKEN)), 'the token is in no cookie')
  assert.match(cookie, /^admin_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+/)
  assert.ok(setCookies(r).some((c) => /^admin_token=;.*Max-Age=0/.test(c)), 'the old raw-token cookie is cleared')
  const id = pair(cookie).slice('admin_session='.length)
  const other = pair(sessionCookie(await signIn(main, TOKEN, from))).slice('admin_session='.length)
  assert.notEqual(id, other, 'each sign-in is a new session')
  const flip = (s: string) => `${s.slice(0, 10)}${s[10] === 'A' ? 'B' : 'A'}${s.slice(11)}`
  const rows: Array<[string, string | undefined, number]> = [
    ['no cookie', undefined, 401],
    ['the raw token in the old cookie', `admin_token=${TOKEN}`, 401],
    ['the raw token, url-encoded, in the old cookie', `admin_token=${encodeURIComponent(TOKEN)}`, 401],
    ['the raw token as the session id', `admin_session=${TOKEN}`, 401],
    ['an empty session id', 'admin_session=', 401],
    ['a forged id of the right shape', `admin_session=${'A'.repeat(43)}`, 401],
    ['an issued id with one character changed', `admin_session=${flip(id)}`, 401],
    ['an issued id with more after it', `admin_session=${id}x`, 401],
    ['an issued id', `admin_session=${id}`, 200],
    ['an issued id among other cookies', `theme=dark; admin_session=${id}; lang=en`, 200],
    ['the second issued id', `admin_session=${other}`, 200]
  ]
  for (const [name, c, status] of rows) {
    const res = await get(main, '/api/status', c ? { cookie: c } : {})
    assert.equal(res.status, status, name)
  }
  // sign-out ends that session only, and clears the cookie
  // as the admin page sends it: a browser says where a request comes from
  const out = await fetch(`${main.url}/api/sign-out`, { method: 'POST', headers: { cookie: `admin_session=${id}`, 'sec-fetch-site': 'same-origin' } })
  assert.equal(out.status, 200)
  assert.match(sessionCookie(out), /^admin_session=; .*Max-Age=0/)
  assert.equal((await get(main, '/api/status', { cookie: `admin_session=${id}` })).status, 401, 'signed out')
  assert.equal((await get(main, '/api/status', { cookie: `admin_session=${other}` })).status, 200, 'the other session lives on')
  const cross = await fetch(`${main.url}/api/sign-out`, { method: 'POST', headers: { cookie: `admin_session=${other}`, origin: 'https://evil.example' } })
  assert.equal(cross.status, 403, 'a cross-site sign-out is refused')
})

test('a session expires after ADMIN_SESSION_TTL_MS', async () => {
  const r = await signIn(short, TOKEN)
  const c = pair(sessionCookie(r))
  assert.match(sessionCookie(r), /Max-Age=1(;|$)/)
  assert.equal((await get(short, '/api/status', { cookie: c })).status, 200)
  await until(async () => (await get(short, '/api/status', { cookie: c })).status === 401, 10_000, 'the session to expire')
})

test('the cookie is Secure only when a trusted proxy says the browser came over https', async () => {
  const rows: Array<[ServerProcess, string, Record<string, string>, boolean]> = [
    [short, 'no proxy trusted, plain http', {}, false],
    [short, 'no proxy trusted, a client claiming https', { 'x-forwarded-proto': 'https' }, false],
    [main, 'a trusted proxy, no header', {}, false],
    [main, 'a trusted proxy saying http', { 'x-forwarded-proto': 'http' }, false],
    [main, 'a trusted proxy saying https', { 'x-forwarded-proto': 'https' }, true],
    [main, 'a trusted proxy saying HTTPS', { 'x-forwarded-proto': 'HTTPS' }, true],
    [main, 'proxies in a chain, the browser side https', { 'x-forwarded-proto': 'https, http' }, true],
    [main, 'proxies in a chain, the browser side http', { 'x-forwarded-proto': 'http, https' }, false]
  ]
  for (const [sp, name, headers, secure] of rows) {
    const r = await signIn(sp, TOKEN, { ...headers, 'x-forwarded-for': '198.51.100.2' })
    assert.equal(r.status, 200, name)
    assert.equal(/;\s*Secure/i.test(sessionCookie(r)), secure, name)
    const out = await fetch(`${sp.url}/api/sign-out`, { method: 'POST', headers })
    assert.equal(/;\s*Secure/i.test(sessionCookie(out)), secure, `${name} (sign-out)`)
  }
})

test('wrong tokens are throttled per address: attempt 6 is 429 with retry_after, even with the right token', async () => {
  const rows: Array<{ name: string; attempt: (ip: string, token: string) => Promise<Response> }> = [
    { name: 'the sign-in form', attempt: (ip, token) => signIn(main, token, { 'x-forwarded-for': ip }) },
    { name: 'a bearer header on /api', attempt: (ip, token) => get(main, '/api/status', { 'x-forwarded-for': ip, authorization: `Bearer ${token}` }) },
    { name: 'a bearer header on /media', attempt: (ip, token) => get(main, '/media/nothing.txt', { 'x-forwarded-for': `10.0.0.1, ${ip}`, authorization: `Bearer ${token}` }) }
  ]
  let n = 10
  for (const row of rows) {
    const ip = `203.0.113.${n++}`
    for (let i = 1; i <= 5; i++) assert.equal((await row.attempt(ip, `wrong-${i}`)).status, 401, `${row.name}: wrong token ${i}`)
    const locked = await row.attempt(ip, 'wrong-6')
    assert.equal(locked.status, 429, `${row.name}: attempt 6`)
    assert.equal(await code(locked.clone()), 'SIGN_IN_THROTTLED')
    const retry = ((await locked.json()) as { error: { data: { retry_after: number }; retryable: boolean } }).error
    assert.ok(retry.retryable && retry.data.retry_after >= 1, row.name)
    assert.equal(locked.headers.get('retry-after'), String(retry.data.retry_after))
    const good = await row.attempt(ip, TOKEN)
    assert.equal(good.status, 429, `${row.name}: the right token waits too`)
    // another address is not affected
    assert.notEqual((await row.attempt(`${ip}9`, TOKEN)).status, 429, `${row.name}: another address`)
    await sleep(retry.data.retry_after * 1000 + 200)
    assert.notEqual((await row.attempt(ip, TOKEN)).status, 429, `${row.name}: the right token after the lockout`)
  }
  // a session already signed in is never locked out
  const c = pair(sessionCookie(await signIn(main, TOKEN, { 'x-forwarded-for': '203.0.113.99' })))
  for (let i = 0; i < 7; i++) await signIn(main, 'wrong', { 'x-forwarded-for': '203.0.113.99' })
  assert.equal((await get(main, '/api/status', { cookie: c, 'x-forwarded-for': '203.0.113.99' })).status, 200)
})

test('/media with ADMIN_TOKEN: the bearer, a session or a signed link; nothing is looked up before that', async () => {
  const auth = { authorization: `Bearer ${TOKEN}` }
  const a = await upload(main, 'a.txt', 'file a', auth)
  const b = await upload(main, 'b.txt', 'file b', auth)
  const [aPath, aQuery] = a.url.split('?') as [string, string]
  const bPath = b.url.split('?')[0]!
  assert.match(aQuery, /^exp=\d+&sig=[A-Za-z0-9_-]{43}$/, 'upload links are signed')
  const keyFile = join(main.dataDir, 'session', 'media-link.key')
  assert.equal(statSync(keyFile).mode & 0o777, 0o600)
  const key = readFileSync(keyFile)
  const rel = decodeURIComponent(aPath.slice('/media/'.length))
  const now = Math.floor(Date.now() / 1000)
  const sig = new URLSearchParams(aQuery).get('sig')!
  const exp = new URLSearchParams(aQuery).get('exp')!
  const cookie = pair(sessionCookie(await signIn(main, TOKEN)))
  const rows: Array<[string, string, Record<string, string>, number, string?]> = [
    ['no auth', aPath, {}, 401, 'UNAUTHORIZED'],
    ['no auth, a file that does not exist', '/media/uploads/none.txt', {}, 401, 'UNAUTHORIZED'],
    ['no auth, a traversal', '/media/..%2fsettings.json', {}, 401, 'UNAUTHORIZED'],
    ['a wrong bearer', aPath, { authorization: 'Bearer nope' }, 401, 'UNAUTHORIZED'],
    ['the raw token as a cookie', aPath, { cookie: `admin_token=${TOKEN}` }, 401, 'UNAUTHORIZED'],
    ['the bearer', aPath, auth, 200],
    ['a session cookie', aPath, { cookie }, 200],
    ['the signed link', a.url, {}, 200],
    ['the signed link with a Range', a.url, { range: 'bytes=5-' }, 206],
    ['a tampered signature', `${aPath}?exp=${exp}&sig=${sig.slice(0, -2)}${sig.endsWith('AA') ? 'BB' : 'AA'}`, {}, 403, 'MEDIA_LINK_INVALID'],
    ['a signature cut main', `${aPath}?exp=${exp}&sig=${sig.slice(0, 20)}`, {}, 403, 'MEDIA_LINK_INVALID'],
    ['a later expiry than signed', `${aPath}?exp=${Number(exp) + 3600}&sig=${sig}`, {}, 403, 'MEDIA_LINK_INVALID'],
    ['a signature without its expiry', `${aPath}?sig=${sig}`, {}, 403, 'MEDIA_LINK_INVALID'],
    ['an expiry without a signature', `${aPath}?exp=${exp}`, {}, 403, 'MEDIA_LINK_INVALID'],
    ['the signature of another path', `${bPath}?${aQuery}`, {}, 403, 'MEDIA_LINK_INVALID'],
    ['a signature under another key', `${aPath}?${signQuery(Buffer.alloc(32, 7), rel, now + 600)}`, {}, 403, 'MEDIA_LINK_INVALID'],
    ['an expired link', `${aPath}?${signQuery(key, rel, now - 1)}`, {}, 403, 'MEDIA_LINK_EXPIRED'],
    ['a link signed for a file that does not exist', `/media/uploads/none.txt?${signQuery(key, 'uploads/none.txt', now + 600)}`, {}, 404, 'NOT_FOUND'],
    ['the bearer, a traversal', '/media/..%2fsettings.json', auth, 404, 'NOT_FOUND']
  ]
  for (const [name, path, headers, status, errCode] of rows) {
    const r = await get(main, path, headers)
    assert.equal(r.status, status, name)
    if (errCode) assert.equal(await code(r), errCode, name)
    else assert.match(await r.text(), /file a|a$/, name)
  }
})

test('the links tools hand out are signed: stage_media\'s opens its file without any other auth', async () => {
  const client = await main.mcp()
  try {
    const staged = await call(client, 'stage_media', { media_content: Buffer.from('staged for a link').toString('base64'), filename: 'link.txt' })
    assert.equal(staged.ok, true, JSON.stringify(staged.data))
    const url = staged.data.url as string
    assert.match(url, /^\/media\/staged\/[^?]+\?exp=\d+&sig=/)
    assert.equal(await (await get(main, url)).text(), 'staged for a link')
    assert.equal((await get(main, url.split('?')[0]!)).status, 401)
  } finally {
    await client.close()
  }
})

test('a chat export\'s media links are signed and open their files alone', async () => {
  // a store and a media file in place before the server starts, as after a history sync
  const dataDir = mkdtempSync(join(tmpdir(), 'wams-export-'))
  const jid = '4915100000001@s.whatsapp.net'
  const msg: MessageRecord = { chatJid: jid, id: 'EXP1', fromMe: false, timestamp: Date.now(), type: 'document', body: 'a file', media: { mimetype: 'application/pdf', fileName: 'report.pdf', fileLength: 9 } }
  const file = join(dataDir, 'media', mediaRelPath(jid, msg.id, msg.media!))
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, 'pdf bytes')
  const db = openWriter(join(dataDir, 'store.sqlite'))
  applyBatch(db, { messages: [msg] })
  db.close()
  const sp = await startServerProcess(undefined, { ...NO_WA, ADMIN_TOKEN: TOKEN }, dataDir)
  try {
    const zip = await get(sp, `/api/export/chat/${encodeURIComponent(jid)}?include_media=true`, { authorization: `Bearer ${TOKEN}` })
    assert.equal(zip.status, 200)
    const chat = JSON.parse(readZip(Buffer.from(await zip.arrayBuffer())).get('chat.json')!.toString()) as { media: Array<{ url: string }> }
    const url = chat.media[0]!.url
    assert.match(url, /^\/media\/.+\?exp=\d+&sig=[A-Za-z0-9_-]{43}$/)
    const r = await get(sp, url)
    assert.equal(r.status, 200)
    assert.equal(await r.text(), 'pdf bytes')
    assert.equal((await get(sp, url.split('?')[0]!)).status, 401)
  } finally {
    await sp.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
})

test('/media without ADMIN_TOKEN stays open, and its links are plain', async () => {
  const f = await upload(open, 'c.txt', 'file c')
  assert.doesNotMatch(f.url, /sig=/)
  const r = await get(open, f.url)
  assert.equal(r.status, 200)
  assert.equal(await r.text(), 'file c')
})

test('guesses spread over many addresses lock everyone out for a while; sessions keep working', async () => {
  const c = pair(sessionCookie(await signIn(main, TOKEN, { 'x-forwarded-for': '192.0.2.250' })))
  // one guess per address, each under its own limit: the global limit (100 a minute, counting the earlier
  // tests' guesses) ends it
  let addresses = 0
  while (addresses <= 100 && (await signIn(main, 'wrong', { 'x-forwarded-for': `192.0.2.${addresses}` })).status === 401) addresses++
  assert.ok(addresses <= 100, 'guesses from 101 addresses were all answered')
  const fresh = await signIn(main, TOKEN, { 'x-forwarded-for': '192.0.2.200' })
  assert.equal(fresh.status, 429, 'a fresh address, with the right token, waits too')
  assert.equal(await code(fresh), 'SIGN_IN_THROTTLED')
  assert.equal((await get(main, '/api/status', { cookie: c })).status, 200, 'a signed-in session is never a guess')
})

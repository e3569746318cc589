// Logs never hold secrets: a real server, linked to the emulator with every token set, goes through what
// makes libraries print keys (Signal sessions opened by messages in and out, 1:1 and in a group, a worker
// restart, Baileys at debug or trace); then everything it printed, stdout and stderr, is searched for the
// tokens and for every private key its auth store holds, in every spelling a log line could use.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { startEmulator } from '../emulator/emulator.js'
import { call, startServerProcess, until } from '../helpers/server-process.js'
import { linkViaMcp } from '../helpers/link.js'
import { readAuthSecrets, renderings } from '../helpers/auth-secrets.js'

const ACCOUNT = '15550001111'
const TOKENS = {
  MCP_AUTH_TOKEN: 'mcp-tok-7f3a9c1e55b2d804',
  ADMIN_TOKEN: 'adm-tok-0b8e44f19a6c3d27',
  UPLOAD_TOKEN: 'upl-tok-c29d7e01f4a8b663'
}
const JPEG = Buffer.from('/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsOCwkJDRENDg8QEBEQCgwSExIQEw8QEBD/yQALCAABAAEBAREA/8wABgAQEAX/2gAIAQEAAD8A0s8g/9k=', 'base64')

// each row one run of the whole scenario: our own debug lines with Baileys' trace, and Baileys' debug alone
const RUNS: Array<{ name: string; env: Record<string, string>; consoleLines: boolean }> = [
  { name: 'LOG_LEVEL=debug, BAILEYS_LOG_LEVEL=trace, WA_EVENT_STREAM', env: { LOG_LEVEL: 'debug', BAILEYS_LOG_LEVEL: 'trace', WA_EVENT_STREAM: 'true' }, consoleLines: true },
  { name: 'LOG_LEVEL=info, BAILEYS_LOG_LEVEL=debug', env: { LOG_LEVEL: 'info', BAILEYS_LOG_LEVEL: 'debug' }, consoleLines: false }
]

const textOf = (m: { message: { conversation?: string | null; extendedTextMessage?: { text?: string | null } | null } }) => m.message.conversation ?? m.message.extendedTextMessage?.text

for (const run of RUNS) {
  test(`nothing the server prints holds a token or key material (${run.name})`, { timeout: 180_000 }, async () => {
    const emu = await startEmulator()
    const alice = emu.person({ phone: '15550002222', name: 'Alice' })
    const bob = emu.person({ phone: '15550003333', name: 'Bob' })
    const carol = emu.person({ phone: '15550004444', name: 'Carol' })
    const group = emu.createGroup('Keys Club', alice, [ACCOUNT, bob, carol]).id
    const server = await startServerProcess(emu, { ...TOKENS, REQUIRE_UPLOAD_TOKEN: 'true', WA_EVENT_LOG: 'true', ...run.env })
    try {
      const client = await server.mcp({ token: TOKENS.MCP_AUTH_TOKEN })
      await linkViaMcp(client, emu, ACCOUNT)
      const admin = { authorization: `Bearer ${TOKENS.ADMIN_TOKEN}` }
      const status = async () => (await (await fetch(`${server.url}/api/status`, { headers: admin })).json()) as { whatsapp: { ready: boolean; restarts: unknown[] } }
      const stored = (chat: string, text: string) => until(async () => {
        const r = await call(client, 'list_messages', { chat_id: chat, limit: 50 })
        return (r.data.messages as Array<{ body?: string }> | undefined)?.some((m) => m.body === text)
      }, 20_000, `"${text}" stored`)
      const sent = async (to: string, text: string, who: typeof alice) => {
        const r = await call(client, 'send_message', { recipient_jid: to, message: text })
        assert.equal(r.ok, true, JSON.stringify(r.data))
        await who.waitFor((m) => textOf(m) === text)
      }

      // sessions opened both ways: Alice writes first, we write to Bob first (he never answers, so the
      // session's first ratchet keys are still the stored ones at the end), then a group both ways
      await alice.sendText(ACCOUNT, 'hello from alice')
      await stored(alice.jid, 'hello from alice')
      await sent(alice.jid, 'hello alice', alice)
      await sent(bob.jid, 'hello bob', bob)
      await alice.sendText(group, 'hello group')
      await stored(group, 'hello group')
      await sent(group, 'hello everyone', carol)

      // the tokens in every place a client puts them
      await fetch(`${server.url}/api/login`, { method: 'POST', body: JSON.stringify({ token: TOKENS.ADMIN_TOKEN }) })
      await fetch(`${server.url}/api/status`, { headers: { cookie: `admin_token=${TOKENS.ADMIN_TOKEN}` } })
      await fetch(`${server.url}/api/status?token=${TOKENS.ADMIN_TOKEN}`, { headers: admin })
      await fetch(`${server.url}/api/status`, { headers: { authorization: `Bearer ${TOKENS.MCP_AUTH_TOKEN}` } })
      const up = await fetch(`${server.url}/api/upload`, { method: 'POST', headers: { ...admin, 'content-type': 'application/json', 'x-upload-token': TOKENS.UPLOAD_TOKEN }, body: JSON.stringify({ filename: 'p.jpg', data: JPEG.toString('base64') }) })
      assert.ok(up.status < 500, `upload: ${up.status}`)
      await fetch(`${server.url}/api/upload`, { method: 'POST', headers: { ...admin, 'x-upload-token': `${TOKENS.UPLOAD_TOKEN}x` }, body: '{}' })
      await fetch(`${server.url}/mcp`, { method: 'POST', headers: { authorization: `Bearer ${TOKENS.MCP_AUTH_TOKEN}x`, 'content-type': 'application/json' }, body: '{}' })

      // a worker restart: the new worker opens the auth store again and sessions come back from it
      const r0 = (await status()).whatsapp.restarts.length
      emu.inject(ACCOUNT, { kind: 'stream-error', code: 428 })
      await until(async () => (await status()).whatsapp.restarts.length > r0, 20_000, 'a worker restart')
      await until(async () => (await status()).whatsapp.ready, 40_000, 'ready after the restart')
      await alice.sendText(ACCOUNT, 'after the restart')
      await stored(alice.jid, 'after the restart')
      await sent(alice.jid, 'answer after the restart', alice)
      await client.close()
    } finally {
      await server.stop()
      await emu.close()
    }

    const secrets = readAuthSecrets(join(server.dataDir, 'session', 'auth.sqlite'))
    const where = secrets.map((s) => s.where)
    // the search is only worth something if it looks for the keys that matter
    for (const must of [/^creds\.noiseKey\.private$/, /^creds\.signedIdentityKey\.private$/, /^creds\.signedPreKey\.keyPair\.private$/, /^creds\.advSecretKey$/, /^session:.*privKey$/, /^session:.*rootKey$/, /^session:.*chainKey\.key$/, /^sender-key:.*senderSigningKey\.private$/, /^pre-key:.*\.private$/]) {
      assert.ok(where.some((w) => must.test(w)), `no ${must} in the auth store: ${where.slice(0, 20).join(', ')}`)
    }
    // the raw event log is a log too
    const eventLog = ['wa-events.log', 'wa-events.log.1'].map((f) => join(server.dataDir, 'logs', f)).filter((f) => existsSync(f))
    if (run.env.WA_EVENT_STREAM) assert.ok(eventLog.length > 0, 'the event log was written')
    const lines = [...server.lines, ...eventLog.flatMap((f) => readFileSync(f, 'utf8').split('\n'))]
    const output = lines.join('\n')
    if (run.consoleLines) {
      // libsignal printed its sessions, and they went through the logger
      assert.ok(server.logs.some((l) => l.source === 'console' && /session/i.test(String(l.msg))), 'libsignal\'s console lines reached the log')
    }
    const leaks: string[] = []
    const lineWith = (needle: string) => { const l = lines.find((x) => x.includes(needle))!; const i = l.indexOf(needle); return l.slice(Math.max(0, i - 120), i + 120) }
    for (const [name, value] of Object.entries(TOKENS)) if (output.includes(value)) leaks.push(`${name} in: ${lineWith(value)}`)
    for (const s of secrets) {
      const spelled = renderings(s.bytes).find((r) => output.includes(r))
      if (spelled) leaks.push(`${s.where} in: ${lineWith(spelled)}`)
    }
    // and no key-length bytes at all, known or not: Baileys' node dumps at trace carry them as hex
    for (const [what, re] of [['hex of 32 bytes or more', /(?<![0-9a-fA-F])[0-9a-fA-F]{64,}(?![0-9a-fA-F])/], ["Node's rendering of a Buffer", /<Buffer [0-9a-f]{2}/]] as const) {
      const hit = lines.find((l) => re.test(l))
      if (hit) leaks.push(`${what} in: ${hit.slice(0, 240)}`)
    }
    assert.deepEqual(leaks, [], `${leaks.length} secrets printed:\n${leaks.slice(0, 8).join('\n')}`)
  })
}

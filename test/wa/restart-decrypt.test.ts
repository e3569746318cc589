// Regression for "Nothing acknowledged is ever lost" (decryption after every restart): the server is stopped
// with SIGTERM, killed with SIGKILL and has its worker restarted through /api/restart-wa, several times, while
// emulated people and the server exchange 1:1 and group messages in both directions, some of them in
// flight at the moment of the restart. Every message sent after a restart must be read on the other side;
// the people decrypt everything, and whatever the server could not decrypt (a message delivered again after
// a crash, whose keys its session had already used) arrives after a retry receipt. (Before the fix, the first sends after a restart built new
// sessions while the people still wrote on the older ones, a failed decrypt attempt ratcheted the new one
// with a foreign key, and every later message on it was "Bad MAC"; see signal-trial-decrypt.ts.)
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { getBinaryNodeChild, getBinaryNodeChildren, type BinaryNode } from '@whiskeysockets/baileys'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { startEmulator, type Emulator } from '../emulator/emulator.js'
import type { Person } from '../emulator/person.js'
import { call, startServerProcess, until, type ServerProcess } from '../helpers/server-process.js'
import { linkViaMcp } from '../helpers/link.js'

const ACCOUNT = '15550001111'
const ENV = { BAILEYS_LOG_LEVEL: process.env.BAILEYS_LOG_LEVEL ?? 'warn', WA_SEND_READY_WAIT_MS: '15000' }
let emu: Emulator
let server: ServerProcess
let client: Client
let ann: Person
let bob: Person
let group: string
/** decrypt failures on the people's side and on the server's */
const peopleFailures: unknown[] = []
const serverFailures: Array<Record<string, unknown>> = []
/** the people the server began a new Signal session with (a pre-key message), while `counting` */
const newSessions: string[] = []
let counting = false

const seen = (p: Person, text: string) => p.waitFor((m) => textOf(m) === text, 30_000).catch(() => {
  throw new Error(`${p.name} never read "${text}"`)
})
const textOf = (m: { message: { conversation?: string | null; extendedTextMessage?: { text?: string | null } | null } }) => m.message.conversation ?? m.message.extendedTextMessage?.text
const status = async () => (await (await fetch(`${server.url}/api/status`)).json()) as { whatsapp: { ready: boolean; restarts: unknown[] } }

/** Baileys' "failed to decrypt message" lines, from every server process the test starts */
function watch(s: ServerProcess): void {
  const push = s.logs.push.bind(s.logs)
  s.logs.push = (...items) => {
    for (const l of items) if (typeof l.msg === 'string' && /failed to decrypt/.test(l.msg)) serverFailures.push(l)
    return push(...items)
  }
}

async function boot(dataDir?: string): Promise<void> {
  server = await startServerProcess(emu, ENV, dataDir)
  watch(server)
  client = await server.mcp()
}

const stored = (chat: string, text: string, what = text) =>
  until(async () => ((await call(client, 'list_messages', { chat_id: chat, limit: 100 })).data.messages as Array<{ body?: string }>).some((x) => x.body === text), 30_000, `the server to store "${what}"`, 200)

async function send(chat: string, text: string): Promise<void> {
  const r = await call(client, 'send_message', { recipient_jid: chat, message: text })
  assert.equal(r.ok, true, JSON.stringify(r.data))
}

/** both directions, 1:1 and group, every message checked on the other side */
async function exchange(tag: string): Promise<void> {
  const texts: Array<Promise<unknown>> = []
  for (let i = 0; i < 3; i++) {
    const a = `${tag} ann ${i}`
    const b = `${tag} bob ${i}`
    const g = `${tag} group ${i}`
    await Promise.all([ann.sendText(ACCOUNT, a), bob.sendText(ACCOUNT, b), ann.sendText(group, g)])
    texts.push(stored(ann.jid, a), stored(bob.jid, b), stored(group, g))
    const toAnn = `${tag} to ann ${i}`
    const toBob = `${tag} to bob ${i}`
    const toGroup = `${tag} to group ${i}`
    await Promise.all([send(ann.jid, toAnn), send(bob.jid, toBob), send(group, toGroup)])
    texts.push(seen(ann, toAnn), seen(bob, toBob))
    texts.push(seen(ann, toGroup), seen(bob, toGroup))
  }
  await Promise.all(texts)
}

/** messages in flight while the restart happens: what is acknowledged must still decrypt afterwards */
function inFlight(tag: string): void {
  for (let i = 0; i < 4; i++) {
    void ann.sendText(ACCOUNT, `${tag} flight ann ${i}`)
    void bob.sendText(group, `${tag} flight group ${i}`)
    void call(client, 'send_message', { recipient_jid: bob.jid, message: `${tag} flight to bob ${i}` }).catch(() => undefined)
  }
}

async function restart(kind: 'sigterm' | 'sigkill' | 'restart-wa'): Promise<void> {
  if (kind === 'restart-wa') {
    const r0 = (await status()).whatsapp.restarts.length
    await fetch(`${server.url}/api/restart-wa`, { method: 'POST' })
    await until(async () => (await status()).whatsapp.restarts.length > r0, 20_000, 'a worker restart')
  } else {
    await client.close().catch(() => undefined)
    if (kind === 'sigterm') await server.stop()
    else {
      const exited = new Promise((r) => server.child.once('exit', r))
      server.child.kill('SIGKILL')
      await exited
    }
    await boot(server.dataDir)
  }
  await until(async () => (await status()).whatsapp.ready, 40_000, 'ready after the restart', 200)
}

before(async () => {
  emu = await startEmulator()
  emu.on('decrypt-error', (e: { jid: string; err: Error }) => peopleFailures.push({ jid: e.jid, err: e.err.message }))
  emu.on('stanza', (node: BinaryNode) => {
    if (!counting || node.tag !== 'message') return
    for (const to of getBinaryNodeChildren(getBinaryNodeChild(node, 'participants'), 'to')) {
      const { acc } = emu.dir.resolve(to.attrs.jid)
      if (acc && acc !== emu.account(ACCOUNT) && getBinaryNodeChild(to, 'enc')?.attrs.type === 'pkmsg') newSessions.push(to.attrs.jid!)
    }
  })
  ann = emu.person({ phone: '15550002222', name: 'Ann' })
  bob = emu.person({ phone: '15550003333', name: 'Bob' })
  await boot()
  await linkViaMcp(client, emu, ACCOUNT)
  group = emu.createGroup('Restart Club', ann, [ACCOUNT, bob]).id
})

after(async () => {
  await client?.close().catch(() => undefined)
  await server?.stop()
  await emu?.close()
})

test('messages decrypt both ways, 1:1 and in a group, after SIGTERM, SIGKILL and worker restarts', async () => {
  await exchange('start')
  counting = true
  const kinds = ['sigterm', 'sigkill', 'restart-wa', 'sigterm', 'sigkill', 'restart-wa'] as const
  for (const [n, kind] of kinds.entries()) {
    inFlight(`${kind} ${n}`)
    await new Promise((r) => setTimeout(r, 150))
    await restart(kind)
    await exchange(`after ${kind} ${n}`)
  }
  assert.deepEqual(peopleFailures, [], 'the people decrypted everything the server sent')
  assert.deepEqual(emu.retries.unhealed(), [])
  // the contacts' device lists outlive the restarts: the sessions with them are kept, none is rebuilt
  assert.deepEqual(newSessions, [], 'no new session with a contact after a restart')
  if (process.env.SHOW_FIGURES) process.stderr.write(`restarts: 6; server decrypt failures healed by a retry: ${serverFailures.length}; people's: ${peopleFailures.length}; new sessions after restarts: ${newSessions.length}\n`)
  // what the server could not decrypt (a message WhatsApp delivered again after a crash, whose keys the
  // session had already used) must have come after a retry receipt, sent again by the person
  for (const l of serverFailures) {
    const key = l.key as { remoteJid: string; remoteJidAlt?: string; id: string }
    await until(async () => {
      for (const chat of [key.remoteJid, key.remoteJidAlt].filter((c): c is string => !!c)) {
        const r = await call(client, 'list_messages', { chat_id: chat, limit: 100 })
        if ((r.data.messages as Array<{ id: string; body?: string }> | undefined)?.some((m) => m.id === key.id && m.body)) return true
      }
      return false
    }, 30_000, `message ${key.id}, which failed to decrypt, to arrive after a retry`, 200)
  }
})

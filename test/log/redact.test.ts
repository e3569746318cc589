// Every shape a secret can take in a log call, through every kind of logger a thread has: ours, Baileys'
// (secretSafe options with its own logMethod hook) and console captured into ours. Each row plants a key or
// a token and names what must survive; the written lines may hold neither the key in any spelling nor the token.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { inspect } from 'node:util'
import { pino, type DestinationStream, type Logger } from 'pino'
import { addSecrets, createLogger, secretSafe } from '../../src/log/logger.js'
import { captureConsole } from '../../src/log/console-capture.js'
import { secretsFromEnv } from '../../src/log/redact.js'
import { renderings } from '../helpers/auth-secrets.js'

// fixed bytes: the text heuristics are probabilistic (see looksRandom), a test must not be
const KEY = createHash('sha256').update('a private key').digest()
const PUB = Buffer.concat([Buffer.from([5]), createHash('sha256').update('a public key').digest()])
const b64 = KEY.toString('base64')
const hex = KEY.toString('hex')
const TOKEN = `tok-${randomBytes(9).toString('hex')}`
addSecrets([TOKEN])

interface Row {
  name: string
  /** a pino call: merging object first, message second */
  args: [unknown, string?]
  /** what must still be in the line */
  keeps?: string[]
  /** secrets besides KEY and TOKEN */
  leaks?: string[]
}

const circular: Record<string, unknown> = { id: 'CIRC1' }
circular.self = circular
const errWithToken = new Error(`login failed for Bearer ${TOKEN}`)
const errWithData = Object.assign(new Error('decrypt failed'), { data: { privKey: b64, jid: 'ERRJID@s.whatsapp.net' } })

const ROWS: Row[] = [
  { name: 'a Buffer under any name', args: [{ blob: KEY, n: 7 }, 'bytes'], keeps: ['"n":7'] },
  { name: 'a Uint8Array', args: [{ blob: new Uint8Array(KEY) }, 'bytes'] },
  { name: 'a Buffer as JSON', args: [{ blob: KEY.toJSON() }, 'bytes'] },
  { name: "a Buffer as Baileys' BufferJSON", args: [{ blob: { type: 'Buffer', data: b64 } }, 'bytes'] },
  { name: 'privKey as base64', args: [{ privKey: b64 }, 'k'] },
  { name: 'rootKey as hex', args: [{ rootKey: hex }, 'k'] },
  { name: 'a chain key inside its chain', args: [{ chainKey: { counter: 3, key: b64 } }, 'k'] },
  {
    name: "libsignal's serialized session",
    args: [{ _sessions: { [PUB.toString('base64')]: { registrationId: 4242, currentRatchet: { ephemeralKeyPair: { pubKey: PUB.toString('base64'), privKey: b64 }, rootKey: b64, previousCounter: 0 }, indexInfo: { closed: -1 } } } }, 'stored session'],
    keeps: ['4242', '"closed":-1'],
    leaks: [PUB.toString('base64')]
  },
  { name: 'a key-length base64 string under an innocent name', args: [{ note: b64 }, 'n'] },
  { name: 'a key-length hex string under an innocent name', args: [{ note: hex }, 'n'] },
  { name: 'hex of a key right after letters', args: [{ note: `0x${hex}` }, `node dump\n\t\tkey${hex}`], keeps: ['node dump'] },
  { name: "Node's rendering of a Buffer in the message", args: [{}, `Closing session: ${inspect({ privKey: KEY })}`], keeps: ['Closing session:'] },
  { name: 'base64 of a key in the message', args: [{}, `identity ${b64} changed`], keeps: ['identity', 'changed'] },
  { name: 'a token in the message', args: [{}, `token is ${TOKEN}.`], keeps: ['token is'] },
  { name: 'a token deep in an object', args: [{ a: { b: { c: [`Bearer ${TOKEN}`] } } }, 'deep'] },
  { name: 'request headers', args: [{ req: { headers: { authorization: 'Bearer zz-not-configured-1', cookie: 'admin_token=zz-not-configured-2', host: 'HOSTKEPT' } } }, 'request'], keeps: ['HOSTKEPT'], leaks: ['zz-not-configured'] },
  { name: 'response headers', args: [{ headers: { 'set-cookie': 'admin_token=zz-not-configured-3', 'x-upload-token': 'zz-not-configured-4' } }, 'response'], leaks: ['zz-not-configured'] },
  { name: 'an error whose message holds a token', args: [{ err: errWithToken }, 'failed'], keeps: ['login failed for Bearer'] },
  { name: 'an error carrying key material', args: [{ err: errWithData }, 'failed'], keeps: ['decrypt failed', 'ERRJID'] },
  { name: 'creds', args: [{ creds: { noiseKey: { private: KEY, public: PUB } } }, 'creds'], leaks: [PUB.toString('hex')] },
  { name: 'secrets by name', args: [{ advSecretKey: b64, password: 'zz-not-configured-5', upload_token: 'zz-not-configured-6', pairingCode: 'ZZNOTCONF' }, 'named'], leaks: ['zz-not-configured', 'ZZNOTCONF'] },
  { name: 'a bare key string', args: [{ key: 'zz-not-configured-7' }, 'k'], leaks: ['zz-not-configured'] },
  { name: 'a message key is kept', args: [{ key: { remoteJid: '15550002222@s.whatsapp.net', id: '3EB0A1B2C3D4E5F60718', fromMe: true } }, 'msg'], keeps: ['15550002222@s.whatsapp.net', '3EB0A1B2C3D4E5F60718'] },
  { name: 'a Map of sender keys', args: [{ keys2: new Map([['sk', { senderSigningKey: { private: KEY } }]]) }, 'map'] },
  { name: 'a circular object', args: [circular, 'circular'], keeps: ['CIRC1', '[circular]'] },
  { name: 'paths and ids are kept', args: [{ path: '/srv/whatsapp/data/session/auth.sqlite', id: 'ABCDEF0123456789ABCDEF0123456789' }, 'kept'], keeps: ['/srv/whatsapp/data/session/auth.sqlite', 'ABCDEF0123456789ABCDEF0123456789'] },
  { name: 'long paths with capitals and digits are kept', args: [{ paths: ['/tmp/wams-modes-Z6sMH6/dead-letter/batch-1-1.json', '/home/Operator2/WhatsAppServer/DataFolder/Session/Backups2026/auth.sqlite'] }, 'ReceiveHistorySyncNotificationHandlerFailed2'], keeps: ['/tmp/wams-modes-Z6sMH6/dead-letter/batch-1-1.json', '/home/Operator2/WhatsAppServer/DataFolder/Session/Backups2026/auth.sqlite', 'ReceiveHistorySyncNotificationHandlerFailed2'] }
]

const sink = (): { lines: string[]; dest: DestinationStream } => {
  const lines: string[] = []
  return { lines, dest: { write: (s: string) => void lines.push(s) } }
}

// the three ways a line is made in a thread
const LOGGERS: Array<{ name: string; run(row: Row, dest: DestinationStream): void }> = [
  { name: 'our logger', run: (row, dest) => createLogger('trace', { actor: 't' }, dest).info(...(row.args as [object, string])) },
  {
    name: "Baileys' logger",
    run: (row, dest) => {
      const seen: unknown[] = []
      const log: Logger = pino(secretSafe({ level: 'trace', hooks: { logMethod(args, method) { seen.push(...args); return method.apply(this, args) } } }), dest)
      log.trace(...(row.args as [object, string]))
      assert.ok(seen.length > 0, 'its own hook still sees the call')
    }
  },
  {
    name: 'console',
    run: (row, dest) => {
      const restore = captureConsole(createLogger('trace', { actor: 't' }, dest))
      try {
        const [obj, msg] = row.args
        console.info(msg ?? '', obj)
      } finally {
        restore()
      }
    }
  }
]

for (const logger of LOGGERS) {
  for (const row of ROWS) {
    test(`${logger.name}, ${row.name}: no key or token in the line, the rest kept`, () => {
      const { lines, dest } = sink()
      logger.run(row, dest)
      const out = lines.join('')
      assert.ok(out.length > 0, 'a line was written')
      for (const s of [TOKEN, ...renderings(KEY), ...(row.leaks ?? [])]) assert.ok(!out.includes(s), `${s} in ${out}`)
      for (const k of row.keeps ?? []) assert.ok(out.includes(k), `${k} missing from ${out}`)
    })
  }
}

test('a token registered later is redacted from then on, and the environment names every configured token', () => {
  const late = `late+${randomBytes(6).toString('hex')}/"`
  const { lines, dest } = sink()
  const log = createLogger('info', {}, dest)
  addSecrets([late])
  log.info({ settings: { token_was: late } }, `now ${late}, cookie admin_token=${encodeURIComponent(late)}`)
  for (const form of [late, JSON.stringify(late).slice(1, -1), encodeURIComponent(late)]) assert.ok(!lines.join('').includes(form), lines.join(''))
  assert.deepEqual(secretsFromEnv({ MCP_AUTH_TOKEN: 'a1b2c3, d4e5f6', ADMIN_TOKEN: 'adm123', UPLOAD_TOKEN: 'up1234' }), ['a1b2c3', 'd4e5f6', 'adm123', 'up1234'])
})

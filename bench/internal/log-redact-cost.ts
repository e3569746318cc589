// What one libsignal console line costs once console goes through the redacting logger: a real SessionEntry
// (as libsignal builds it, keys and chains included) printed the way session_record.js prints it, with
// the logger below debug (the default: a level check) and at debug (redacted and serialized), against
// Node's own console.info writing the same entry to /dev/null.
// `node dist/bench/internal/log-redact-cost.js [calls]`
import { createRequire } from 'node:module'
import { randomBytes } from 'node:crypto'
import { Console } from 'node:console'
import { createWriteStream } from 'node:fs'
import { createLogger } from '../../src/log/logger.js'
import { captureConsole } from '../../src/log/console-capture.js'

const require = createRequire(import.meta.url)
const SessionRecord = require('libsignal/src/session_record.js') as { createEntry(): Record<string, unknown> & { addChain(k: Buffer, v: unknown): void } }
const calls = Number(process.argv[2] ?? 20_000)

const entry = SessionRecord.createEntry()
entry.registrationId = 1234
entry.currentRatchet = { ephemeralKeyPair: { pubKey: randomBytes(33), privKey: randomBytes(32) }, lastRemoteEphemeralKey: randomBytes(33), previousCounter: 0, rootKey: randomBytes(32) }
entry.indexInfo = { baseKey: randomBytes(33), baseKeyType: 1, closed: -1, used: Date.now(), created: Date.now(), remoteIdentityKey: randomBytes(33) }
entry._chains = {}
for (let i = 0; i < 2; i++) entry.addChain(randomBytes(33), { chainKey: { counter: i, key: randomBytes(32) }, chainType: i + 1, messageKeys: { 0: randomBytes(32) } })

const nul = { write: (_s: string) => undefined }
function time(label: string, fn: () => void): void {
  for (let i = 0; i < 1000; i++) fn()
  const t0 = process.hrtime.bigint()
  for (let i = 0; i < calls; i++) fn()
  const ns = Number(process.hrtime.bigint() - t0) / calls
  process.stderr.write(`${label.padEnd(52)} ${ns < 1000 ? `${ns.toFixed(0)} ns` : `${(ns / 1000).toFixed(1)} µs`} a call\n`)
}

const plain = new Console({ stdout: createWriteStream('/dev/null'), stderr: createWriteStream('/dev/null') })
time("Node's console.info (util.inspect), unredacted", () => plain.info('Opening session:', entry))
let undo = captureConsole(createLogger('info', { actor: 'bench' }, nul))
time('captured, logger at info (dropped)', () => console.info('Opening session:', entry))
undo()
undo = captureConsole(createLogger('debug', { actor: 'bench' }, nul))
time('captured, logger at debug (redacted, JSON)', () => console.info('Opening session:', entry))
undo()
const ours = createLogger('info', { actor: 'bench' }, nul)
time('our logger, a small object with a message', () => ours.info({ jid: '15550002222@s.whatsapp.net', count: 3 }, 'a line'))

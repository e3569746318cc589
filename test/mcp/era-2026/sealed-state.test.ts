import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { createSealer, MAX_SEALED_CHARS } from '../../../src/mcp/era-2026/sealed-state.js'
import { ProtocolFault } from '../../../src/mcp/input.js'

const key = randomBytes(32)
let clock = 1_000_000
const sealer = createSealer(key, () => clock)

const faultCode = (fn: () => unknown): string => {
  try {
    fn()
  } catch (err) {
    assert.ok(err instanceof ProtocolFault, String(err))
    return err.code
  }
  return 'none'
}

test('a sealed value opens to the same payload, of its own kind only', () => {
  const s = sealer.seal('mrtr', { a: { x: 1 }, n: 'ü' }, 60_000)
  assert.deepEqual(sealer.open('mrtr', s), { a: { x: 1 }, n: 'ü' })
  assert.equal(faultCode(() => sealer.open('cursor', s)), 'MCP_STATE_INVALID')
})

test('every kind of tampering or forgery is MCP_STATE_INVALID (-32602), never a payload', () => {
  const s = sealer.seal('mrtr', { a: {} }, 60_000)
  const [v, kind, exp, data, mac] = s.split('.')
  const forged = createSealer(randomBytes(32), () => clock).seal('mrtr', { a: {} }, 60_000)
  const flip = (t: string, i: number) => t.slice(0, i) + (t[i] === 'A' ? 'B' : 'A') + t.slice(i + 1)
  const variants: Array<[string, unknown]> = [
    ['suffix appended', `${s}-TAMPERED`],
    ['payload byte flipped', [v, kind, exp, flip(data!, 2), mac].join('.')],
    ['mac byte flipped', [v, kind, exp, data, flip(mac!, 3)].join('.')],
    ['expiry pushed out', [v, kind, String(Number(exp) + 1e9), data, mac].join('.')],
    ['kind swapped, mac kept', [v, 'task', exp, data, mac].join('.')],
    ['mac dropped', [v, kind, exp, data].join('.')],
    ['signed by another key', forged],
    ['empty string', ''],
    ['no dots', 'abc'],
    ['a number', 42],
    ['an object', { requestState: s }],
    ['null', null],
    ['over the size cap', 'x'.repeat(MAX_SEALED_CHARS + 1)]
  ]
  for (const [name, value] of variants) assert.equal(faultCode(() => sealer.open('mrtr', value)), 'MCP_STATE_INVALID', name)
  assert.equal(new ProtocolFault('MCP_STATE_INVALID', 'x').rpcCode, -32602)
})

test('a sealed value past its lifetime is MCP_STATE_EXPIRED', () => {
  const s = sealer.seal('task', { id: 1 }, 1000)
  clock += 999
  assert.deepEqual(sealer.open('task', s), { id: 1 })
  clock += 2
  assert.equal(faultCode(() => sealer.open('task', s)), 'MCP_STATE_EXPIRED')
})

test('a key shorter than 32 bytes is refused', () => {
  assert.throws(() => createSealer(randomBytes(16)))
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ResultCache } from '../../src/mcp/result-cache.js'
import { RESULT_BYTES, encodeMessage, encodeMessages, encodedText, rpcResult } from '../../src/mcp/protocol.js'

const b = (s: string) => Buffer.from(s)

test('the result cache answers until the store generation moves, and never keeps an answer computed across a write', () => {
  let gen = 0
  const c = new ResultCache(() => gen)
  const g = c.current()
  c.set('a', b('{"x":1}'), g)
  assert.equal(c.get('a')?.toString(), '{"x":1}')
  gen++
  assert.equal(c.get('a'), undefined, 'a write makes older answers unreachable')
  const started = c.current()
  gen++
  c.set('b', b('{"y":2}'), started)
  assert.equal(c.get('b'), undefined, 'an answer read before the write is not kept')
  const off = new ResultCache(() => 0, 0)
  off.set('a', b('1'), 0)
  assert.equal(off.get('a'), undefined, 'zero entries turns the cache off')
})

test('the result cache is bounded by entries and bytes, evicting the least recently used', () => {
  const c = new ResultCache(() => 0, 3, 1_000_000)
  for (const k of ['a', 'b', 'c']) c.set(k, b(k), 0)
  c.get('a')
  c.set('d', b('d'), 0)
  assert.equal(c.get('b'), undefined)
  assert.equal(c.get('a')?.toString(), 'a')
  const small = new ResultCache(() => 0, 100, 800)
  small.set('big', b('x'.repeat(60)), 0)
  small.set('big2', b('x'.repeat(60)), 0)
  assert.ok(small.stats().bytes <= 800)
  small.set('huge', b('x'.repeat(1000)), 0)
  assert.equal(small.get('huge'), undefined, 'an answer larger than an eighth of the budget is not kept')
})

test('a pre-encoded result is written inside a valid envelope, alone and in a batch', () => {
  const result = { content: [{ type: 'text', text: '{"a":"é\\""}' }], structuredContent: { a: 'é"' } }
  const one = rpcResult(7, { [RESULT_BYTES]: Buffer.from(JSON.stringify(result)) })
  assert.deepEqual(JSON.parse(encodedText(encodeMessage(one))), { jsonrpc: '2.0', id: 7, result })
  const batch = encodeMessages([one, rpcResult('x', { ok: true })])
  assert.deepEqual(JSON.parse(encodedText(batch)), [{ jsonrpc: '2.0', id: 7, result }, { jsonrpc: '2.0', id: 'x', result: { ok: true } }])
})

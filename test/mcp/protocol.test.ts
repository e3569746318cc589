import { test } from 'node:test'
import assert from 'node:assert/strict'
import { asciiJson } from '../../src/mcp/protocol.js'

test('replies with a few non-ASCII characters travel as ASCII and parse to the same values; mostly non-ASCII text stays UTF-8', () => {
  const value = { body: `café 🎉 naïve "quoted" \\ ${'x'.repeat(600)}`, lone: '\ud800', list: ['ü', 'ß'] }
  const json = JSON.stringify(value)
  const ascii = asciiJson(json)
  assert.match(ascii, /^[\x00-\x7f]*$/)
  assert.deepEqual(JSON.parse(ascii), value)
  assert.ok(ascii.includes('caf\\u00e9 \\ud83c\\udf89'))
  const plain = JSON.stringify({ a: 'only ascii' })
  assert.equal(asciiJson(plain), plain, 'nothing to do')
  const cyrillic = JSON.stringify({ body: 'привет мир '.repeat(40) })
  assert.equal(asciiJson(cyrillic), cyrillic, 'escaping would triple its size')
})

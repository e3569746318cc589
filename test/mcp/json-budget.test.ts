// The scan that bounds what JSON.parse may be asked to do (the HTTP behaviour is in client-limits.test).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { JSON_MAX_DEPTH, JSON_MAX_TOKENS, jsonBudgetExceeded } from '../../src/mcp/json-budget.js'

const scan = (s: string, batch = 100) => jsonBudgetExceeded(Buffer.from(s), batch)

test('depth, values and batch length are bounded; brackets, commas and colons inside strings do not count', () => {
  const rows: Array<[string, string, ReturnType<typeof scan>]> = [
    ['a plain request', '{"jsonrpc":"2.0","id":1,"method":"ping","params":{}}', undefined],
    ['nesting at the limit', `${'['.repeat(JSON_MAX_DEPTH)}${']'.repeat(JSON_MAX_DEPTH)}`, undefined],
    ['nesting past the limit', `${'['.repeat(JSON_MAX_DEPTH + 1)}${']'.repeat(JSON_MAX_DEPTH + 1)}`, { what: 'depth', limit: JSON_MAX_DEPTH }],
    ['objects nested past the limit', `${'{"a":'.repeat(JSON_MAX_DEPTH + 1)}1${'}'.repeat(JSON_MAX_DEPTH + 1)}`, { what: 'depth', limit: JSON_MAX_DEPTH }],
    ['brackets inside a string', JSON.stringify({ s: '['.repeat(1000) + ','.repeat(JSON_MAX_TOKENS + 1) }), undefined],
    ['an escaped quote does not end a string', JSON.stringify({ s: `\\"${'['.repeat(100)}` }), undefined],
    ['an escaped backslash before the closing quote', `{"s":"x\\\\","t":${'['.repeat(100)}${']'.repeat(100)}}`, { what: 'depth', limit: JSON_MAX_DEPTH }],
    ['values past the limit', JSON.stringify(Array.from({ length: JSON_MAX_TOKENS + 2 }, () => 0)), { what: 'batch', limit: 100 }],
    ['values past the limit, not a batch', JSON.stringify({ a: Array.from({ length: JSON_MAX_TOKENS + 2 }, () => 0) }), { what: 'tokens', limit: JSON_MAX_TOKENS }],
    ['a batch at the limit', JSON.stringify(Array.from({ length: 100 }, () => ({ a: [1, 2] }))), undefined],
    ['a batch past the limit', ` \n${JSON.stringify(Array.from({ length: 101 }, () => ({})))}`, { what: 'batch', limit: 100 }],
    ['an unterminated string (JSON.parse says so next)', '{"a":"abc', undefined]
  ]
  for (const [name, body, want] of rows) assert.deepEqual(scan(body), want, name)
})

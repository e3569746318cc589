import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { ERROR_CODES, type ErrorCode } from '../../src/errors/codes.js'
import { AppError, toAppError } from '../../src/errors/app-error.js'
import { toWire, fromWire, fromPoolError, throwWire } from '../../src/errors/wire.js'

const docs = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8')

test('every error code is documented in docs/errors.md with its HTTP status', () => {
  for (const [code, def] of Object.entries(ERROR_CODES)) {
    const row = docs.split('\n').find((line) => line.startsWith(`| \`${code}\` |`))
    assert.ok(row, `docs/errors.md has no row for ${code}`)
    assert.match(row, new RegExp(`\\| ${def.status} \\|`), `${code} row does not show status ${def.status}`)
  }
})

test('docs/errors.md documents no code that the registry lacks', () => {
  const documented = [...docs.matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((m) => m[1])
  for (const code of documented) assert.ok(code in ERROR_CODES, `docs/errors.md lists unknown code ${code}`)
})

test('every code maps to a 4xx or 5xx status', () => {
  for (const [code, def] of Object.entries(ERROR_CODES)) {
    assert.ok(def.status >= 400 && def.status <= 599, `${code} has status ${def.status}`)
  }
})

test('an AppError survives the wire form with its code and data', () => {
  const err = new AppError('WA_NOT_READY', 'not now', { state: 'reconnecting' })
  const back = fromWire(structuredClone(toWire(err)))
  assert.equal(back.code, 'WA_NOT_READY')
  assert.equal(back.message, 'not now')
  assert.deepEqual(back.data, { state: 'reconnecting' })
  assert.equal(back.status, 503)
  assert.equal(back.retryable, true)
})

test('a pool task error thrown through throwWire is rehydrated with its code', () => {
  let thrown: unknown
  try {
    throwWire(new AppError('MEDIA_TOO_LARGE', 'too big', { limit: 10 }))
  } catch (e) {
    thrown = new Error((e as Error).message) // what piscina hands back: a plain Error with the message
  }
  const back = fromPoolError(thrown)
  assert.equal(back.code, 'MEDIA_TOO_LARGE')
  assert.deepEqual(back.data, { limit: 10 })
})

test('unknown errors become INTERNAL without leaking their message to clients', () => {
  const e = toAppError(new TypeError("Cannot read properties of undefined (reading 'id')"))
  assert.equal(e.code, 'INTERNAL')
  assert.doesNotMatch(e.message, /undefined/)
  assert.equal(fromPoolError(new Error('boom')).code, 'POOL_TASK_FAILED' satisfies ErrorCode)
})

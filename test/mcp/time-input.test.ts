// Issue 18: seconds passed where milliseconds are expected gave an empty page silently.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { toMs } from '../../src/mcp/time-input.js'
import { AppError } from '../../src/errors/app-error.js'

const code = (v: number | string) => {
  try {
    toMs(v, 'after')
    return 'ok'
  } catch (err) {
    return err instanceof AppError ? err.code : String(err)
  }
}

test('issue 18: a time is unix ms or ISO 8601; numbers that can only be seconds and unreadable text are refused', () => {
  const ok: Array<[number | string, number]> = [
    [0, 0],
    [1764000000000, 1764000000000],
    ['1764000000000', 1764000000000],
    ['2025-11-24', Date.UTC(2025, 10, 24)],
    ['2025-11-24T16:00:00Z', Date.UTC(2025, 10, 24, 16)],
    ['2025-11-24T16:00', Date.UTC(2025, 10, 24, 16)],
    ['2025-11-24 17:00:00+01:00', Date.UTC(2025, 10, 24, 16)],
    ['2025-11-24T17:00:00+0100', Date.UTC(2025, 10, 24, 16)],
    ['2025-11-24T16:00:00.250Z', Date.UTC(2025, 10, 24, 16) + 250]
  ]
  for (const [input, ms] of ok) assert.equal(toMs(input, 'after'), ms, String(input))
  const refused: Array<[number | string, string]> = [
    [1764000000, 'TIME_IN_SECONDS'],
    ['1764000000', 'TIME_IN_SECONDS'],
    [1, 'TIME_IN_SECONDS'],
    [-5, 'TIME_INVALID'],
    [1.5e12 + 0.5, 'TIME_INVALID'],
    ['yesterday', 'TIME_INVALID'],
    ['2025-13-45', 'TIME_INVALID'],
    ['24/11/2025', 'TIME_INVALID'],
    ['2025-11-24T16:00:00 UTC', 'TIME_INVALID']
  ]
  for (const [input, want] of refused) assert.equal(code(input), want, String(input))
  assert.equal(toMs(undefined, 'after'), undefined)
})

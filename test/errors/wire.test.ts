// An unexpected error is logged with its stack and cause on the thread where it happened: across a thread
// only its code and message travel. An AppError is the caller's to report and is not logged here.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { AppError } from '../../src/errors/app-error.js'
import { setWireLog, toWire } from '../../src/errors/wire.js'

test('toWire logs what it turns into INTERNAL, with the cause, and leaves AppErrors alone', () => {
  const logged: Array<{ o: { err?: unknown }; msg: string }> = []
  setWireLog({ error: (o, msg) => void logged.push({ o, msg }) })
  const root = new Error('disk on fire')
  const cases: Array<[unknown, string, unknown]> = [
    [new TypeError('x is undefined', { cause: root }), 'INTERNAL', 'TypeError'],
    ['a thrown string', 'INTERNAL', 'a thrown string'],
    [new AppError('INTERNAL', undefined, undefined, { cause: root }), 'INTERNAL', root],
    [new AppError('CHAT_NOT_FOUND', 'No chat x.'), 'CHAT_NOT_FOUND', undefined]
  ]
  for (const [err, code, wantLogged] of cases) {
    logged.length = 0
    const wire = toWire(err)
    assert.equal(wire.code, code)
    // what crosses is the registry's text, never the raw one of an unexpected error
    if (!(err instanceof AppError)) assert.equal(wire.message, 'Unexpected server error; details are in the server log.')
    if (wantLogged === undefined) assert.equal(logged.length, 0, String(err))
    else {
      assert.equal(logged.length, 1, String(err))
      const got = logged[0]!.o.err
      if (typeof wantLogged === 'string') assert.ok(got === wantLogged || (got as Error).name === wantLogged, String(err))
      else assert.equal(got, wantLogged)
      if (got instanceof Error && got.cause) assert.equal(got.cause, root, 'the cause is still attached')
    }
  }
})


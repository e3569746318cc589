import * as Comlink from 'comlink'
import { AppError } from './app-error.js'
import { ERROR_CODES, isErrorCode } from './codes.js'

/**
 * Errors crossing a thread boundary (comlink to the WhatsApp worker, piscina to the pool) lose their class:
 * structured clone keeps only name, message and stack. These helpers carry the code and data across.
 */
export interface WireError {
  readonly __appError: true
  readonly code: string
  readonly message: string
  readonly data?: Record<string, unknown>
}

/** where an unexpected error is logged before it leaves its thread (each thread sets its own logger) */
let wireLog: { error(o: object, msg: string): void } | undefined

/** the logger of this thread for errors toWire turns into INTERNAL */
export function setWireLog(log: { error(o: object, msg: string): void }): void {
  wireLog = log
}

/**
 * An error as it crosses a thread. Only the code, message and data cross: the stack and cause of an
 * unexpected error would be lost on the way, so it is logged here, where it happened, first.
 */
export function toWire(err: unknown): WireError {
  if (err instanceof AppError) {
    if (err.code === 'INTERNAL' && err.cause !== undefined) wireLog?.error({ err: err.cause, code: err.code }, 'unexpected error, logged before it leaves this thread')
    return { __appError: true, code: err.code, message: err.message, ...(err.data ? { data: err.data } : {}) }
  }
  wireLog?.error({ err }, 'unexpected error, logged before it leaves this thread')
  // its raw text (an SQLite or library message) is for the log, not for whoever the error reaches
  return { __appError: true, code: 'INTERNAL', message: ERROR_CODES.INTERNAL.summary }
}

export function isWireError(value: unknown): value is WireError {
  return typeof value === 'object' && value !== null && (value as WireError).__appError === true
}

export function fromWire(wire: WireError): AppError {
  const code = isErrorCode(wire.code) ? wire.code : 'INTERNAL'
  return new AppError(code, wire.message || ERROR_CODES[code].summary, wire.data)
}

/**
 * Rehydrates an error thrown by a piscina task. Pool tasks throw `new Error(JSON.stringify(toWire(e)))`
 * through `throwWire`, because piscina rejects with a plain Error built from the worker's message.
 */
export function fromPoolError(err: unknown): AppError {
  if (err instanceof AppError) return err
  const message = err instanceof Error ? err.message : String(err)
  if (message.startsWith('{"__appError"')) {
    try {
      return fromWire(JSON.parse(message) as WireError)
    } catch {
      // fall through: not one of ours after all
    }
  }
  return new AppError('POOL_TASK_FAILED', 'A background task failed.', undefined, { cause: err })
}

/** Used inside pool tasks: rethrow any error in a form `fromPoolError` can rehydrate. */
export function throwWire(err: unknown): never {
  throw new Error(JSON.stringify(toWire(err)))
}

let installed = false
/**
 * Replaces comlink's built-in `throw` handler on this thread so AppError code and data survive the trip.
 * Call it once in every thread that talks comlink (main thread and WhatsApp worker).
 */
export function installComlinkErrorHandler(): void {
  if (installed) return
  installed = true
  // comlink does not export its thrown-value marker, so reuse the built-in handler's test for it.
  const builtin = Comlink.transferHandlers.get('throw')
  if (!builtin) throw new Error('comlink has no built-in throw handler')
  Comlink.transferHandlers.set('throw', {
    canHandle: builtin.canHandle,
    serialize: ({ value }: { value: unknown }) => [toWire(value), []],
    deserialize: (wire: unknown) => {
      throw isWireError(wire) ? fromWire(wire) : new AppError('INTERNAL')
    },
  } as Comlink.TransferHandler<{ value: unknown }, WireError>)
}

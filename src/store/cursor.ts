// Opaque keyset cursors: base64url JSON of the last row's sort key. A bad cursor is CURSOR_INVALID.
import { AppError } from '../errors/app-error.js'

export function encodeCursor(key: unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url')
}

export function decodeCursor(cursor: string | undefined, arity: number): unknown[] | undefined {
  if (!cursor) return undefined
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown
    if (Array.isArray(v) && v.length === arity) return v
  } catch {
    // fall through
  }
  throw new AppError('CURSOR_INVALID', 'The cursor is not one this server issued; start again without it.')
}

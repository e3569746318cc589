// Opaque keyset cursors, bound to the query that issued them: base64url JSON of a short digest of the
// query (the list it pages and every filter) followed by the last row's sort key. A cursor handed to
// another query (list_chats' to list_messages, chat A's to chat B, other time bounds) used to be read as a
// position in the wrong list and gave an empty page, which an agent took for "no older history"; now it
// is CURSOR_INVALID. The digest is not a secret: a hand-made cursor can only pick a page of the very query
// it names, whose filters (and any chat scope) still apply.
import { createHash } from 'node:crypto'
import { AppError } from '../errors/app-error.js'

/** what a cursor is bound to: the list's name and its filters (undefined ones count as absent) */
export type CursorScope = readonly unknown[]

function digest(scope: CursorScope): string {
  return createHash('sha256').update(JSON.stringify(scope.map((v) => v ?? null))).digest('base64url').slice(0, 11)
}

/** a cursor for the page after the row whose sort key is `key`, valid only for `scope` */
export function encodeCursor(scope: CursorScope, key: unknown[]): string {
  return Buffer.from(JSON.stringify([digest(scope), ...key])).toString('base64url')
}

/**
 * The sort key of a cursor issued for `scope` with `arity` parts; undefined without a cursor.
 * CURSOR_INVALID when it is not one of ours or was issued for another query.
 */
export function decodeCursor(cursor: string | undefined, scope: CursorScope, arity: number): unknown[] | undefined {
  if (!cursor) return undefined
  let v: unknown
  try {
    v = JSON.parse(Buffer.from(cursor, 'base64url').toString())
  } catch {
    v = undefined
  }
  if (Array.isArray(v) && v.length === arity + 1 && typeof v[0] === 'string') {
    if (v[0] === digest(scope)) return v.slice(1)
    throw new AppError('CURSOR_INVALID', 'This cursor belongs to another query (another tool, chat or filter); pass it only with the arguments of the call that returned it, or start again without it.')
  }
  throw new AppError('CURSOR_INVALID', 'The cursor is not one this server issued; start again without it.')
}

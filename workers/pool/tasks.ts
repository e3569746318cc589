// The pool's entry: one named export per task kind. Errors leave as wire errors (see src/errors/wire.ts).
import { throwWire } from '../../src/errors/wire.js'
import storeWriteImpl from './store-write.js'
import type { StoreBatch } from '../../src/store/batch.js'

export function storeWrite(task: { dbPath: string; batches: StoreBatch[] }) {
  try {
    return storeWriteImpl(task)
  } catch (err) {
    throwWire(err)
  }
}

// The pool's entry: one named export per task kind. Errors leave as wire errors (see src/errors/wire.ts).
import { threadId } from 'node:worker_threads'
import type { LevelWithSilent } from 'pino'
import { setWireLog, throwWire } from '../../src/errors/wire.js'
import { createLogger } from '../../src/log/logger.js'
import { captureConsole } from '../../src/log/console-capture.js'
import storeWriteImpl from './store-write.js'
import exportZipImpl, { type ExportTask } from './export-zip.js'
import thumbnailImpl, { type ThumbnailTask } from './thumbnail.js'
import searchImpl, { type SearchTask } from './search.js'

// a pool thread starts here: what its libraries print to console goes through a redacting logger too
const log = createLogger((process.env.LOG_LEVEL ?? 'info') as LevelWithSilent, { thread: 'pool' })
captureConsole(log)
setWireLog(log)
log.debug({ threadId }, 'pool thread started')

export function storeWrite(task: Parameters<typeof storeWriteImpl>[0]) {
  try {
    return storeWriteImpl(task)
  } catch (err) {
    throwWire(err)
  }
}

export async function exportZip(task: ExportTask) {
  try {
    return await exportZipImpl(task)
  } catch (err) {
    throwWire(err)
  }
}

export async function thumbnail(task: ThumbnailTask) {
  try {
    return await thumbnailImpl(task)
  } catch (err) {
    throwWire(err)
  }
}

export function searchMessages(task: SearchTask) {
  try {
    return searchImpl(task)
  } catch (err) {
    throwWire(err)
  }
}

// WA_EVENT_STREAM: the raw Baileys events appended to a file as JSON lines, size-capped and rotated
// (one previous file kept as .1). Written asynchronously so the socket never waits on the disk.
import { createWriteStream, renameSync, statSync, type WriteStream } from 'node:fs'
import { privateFile } from '../../src/store/private-files.js'
import { FILE_MODE } from '../../src/store/private-paths.js'
import { BufferJSON } from '@whiskeysockets/baileys'

export class EventStream {
  private out: WriteStream
  private size: number

  constructor(private readonly path: string, private readonly maxBytes: number) {
    privateFile(path)
    this.size = (() => {
      try {
        return statSync(path).size
      } catch {
        return 0
      }
    })()
    this.out = createWriteStream(path, { flags: 'a', mode: FILE_MODE })
  }

  write(events: Record<string, unknown>): void {
    let line: string
    try {
      line = `${JSON.stringify({ at: Date.now(), events }, BufferJSON.replacer)}\n`
    } catch {
      return
    }
    if (this.size + line.length > this.maxBytes) this.rotate()
    this.size += line.length
    this.out.write(line)
  }

  private rotate(): void {
    this.out.end()
    try {
      renameSync(this.path, `${this.path}.1`)
    } catch {
      // nothing to rotate yet
    }
    this.out = createWriteStream(this.path, { flags: 'a', mode: FILE_MODE })
    this.size = 0
  }

  close(): void {
    this.out.end()
  }
}

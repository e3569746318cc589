// WA_EVENT_STREAM: the raw Baileys events appended to a file as JSON lines, size-capped and rotated
// (one previous file kept as .1). Written asynchronously so the socket never waits on the disk. Raw but for
// secrets: Baileys emits the whole creds (noise and identity private keys) as `creds.update`, the QR holds
// the ADV secret, app-state and media keys arrive inside messages; every value under a secret's name is
// censored (see redact.ts).
import { createWriteStream, renameSync, statSync, type WriteStream } from 'node:fs'
import { privateFile } from '../../src/store/private-files.js'
import { FILE_MODE } from '../../src/store/private-paths.js'
import { BufferJSON } from '@whiskeysockets/baileys'
import { CENSOR, isSecretName } from '../../src/log/redact.js'

// a message's `key` is its address, not a secret
const replacer = (k: string, v: unknown): unknown => (k && k !== 'key' && isSecretName(k) ? CENSOR : BufferJSON.replacer(k, v))

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
      line = `${JSON.stringify({ at: Date.now(), events }, replacer)}\n`
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

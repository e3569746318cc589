// The server's HMAC keys (event cursors, sealed 2026 request state, signed /media links): 32 random bytes
// each in a file of their own in the data folders, made 0600 on first use and kept, so what they signed
// stays valid across restarts and for every replica that shares the file.
import { randomBytes } from 'node:crypto'
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'

const KEY_BYTES = 32

/** the key at `path`, made if there is none; a file of another size stops the start with a clear message */
export function loadKeyFile(path: string): Buffer {
  try {
    const key = readFileSync(path)
    if (key.length !== KEY_BYTES) throw new Error(`${path} is not a key this server made (${key.length} bytes, not ${KEY_BYTES}); remove it to have a new one made`)
    chmodSync(path, 0o600)
    return key
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
  const key = randomBytes(KEY_BYTES)
  try {
    // 'wx': two processes starting at once never overwrite each other's key
    writeFileSync(path, key, { mode: 0o600, flag: 'wx' })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadKeyFile(path)
    throw err
  }
  chmodSync(path, 0o600)
  return key
}

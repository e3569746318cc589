// The key that signs /media links: 32 random bytes in the data folder, created 0600 on first use, so links
// stay valid across restarts. Never logged, never served (DATA_DIR's other files are not under MEDIA_DIR).
import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs'
import { dirname } from 'node:path'

const KEY_BYTES = 32

/** reads the key at `path`, or makes one; a file of the wrong size (damaged) is replaced */
export function loadMediaLinkKey(path: string): Buffer {
  try {
    const key = readFileSync(path)
    if (key.length === KEY_BYTES) {
      chmodSync(path, 0o600)
      return key
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  const key = randomBytes(KEY_BYTES)
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
  writeFileSync(path, key, { mode: 0o600 })
  chmodSync(path, 0o600)
  return key
}

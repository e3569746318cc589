// The HMAC key for sealed client state, kept in the data folder (mode 0600) so it survives restarts and is
// the same for every replica that shares the folder (or is handed the same file).
import { randomBytes } from 'node:crypto'
import { chmodSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export const STATE_KEY_FILE = 'mcp-state.key'

/** the key from `<dataDir>/mcp-state.key`, created with 32 random bytes on first use */
export function loadStateKey(dataDir: string): Buffer {
  const path = join(dataDir, STATE_KEY_FILE)
  try {
    const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64')
    if (key.length >= 32) return key
    throw new Error(`${STATE_KEY_FILE} in the data folder holds no valid key; remove it to have a new one made`)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  const key = randomBytes(32)
  // 'wx': two processes starting at once never overwrite each other's key
  try {
    writeFileSync(path, key.toString('base64'), { mode: 0o600, flag: 'wx' })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadStateKey(dataDir)
    throw err
  }
  chmodSync(path, 0o600)
  return key
}

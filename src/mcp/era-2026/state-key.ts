// The HMAC key for sealed client state, kept in the data folder (mode 0600) so it survives restarts and is
// the same for every replica that shares the folder (or is handed the same file).
import { join } from 'node:path'
import { loadKeyFile } from '../../store/key-file.js'

export const STATE_KEY_FILE = 'mcp-state.key'

/** the key from `<dataDir>/mcp-state.key`, made on first use */
export const loadStateKey = (dataDir: string): Buffer => loadKeyFile(join(dataDir, STATE_KEY_FILE))

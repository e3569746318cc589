// Baileys' auth state (creds and Signal keys) in SQLite, written synchronously: a lost key means messages
// that can never be decrypted. LID<->phone mappings Baileys learns are reported as they are stored.
import Database from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { BufferJSON, initAuthCreds, proto, type AuthenticationCreds, type SignalDataTypeMap, type SignalKeyStore } from '@whiskeysockets/baileys'

export interface AuthStore {
  creds: AuthenticationCreds
  keys: SignalKeyStore
  saveCreds(): void
  /** forget this device: creds and keys go, a new QR follows (the message store is not touched) */
  clear(): void
  close(): void
}

export function openAuthStore(path: string, onLidMappings: (pairs: Array<{ lid: string; pn: string }>) => void): AuthStore {
  mkdirSync(dirname(path), { recursive: true })
  const db = new Database(path)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = FULL')
  db.exec(`CREATE TABLE IF NOT EXISTS creds (id INTEGER PRIMARY KEY CHECK (id = 1), value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS keys (type TEXT NOT NULL, id TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (type, id));`)
  const getCreds = db.prepare('SELECT value FROM creds WHERE id = 1')
  const putCreds = db.prepare('INSERT INTO creds(id, value) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET value = excluded.value')
  const getKey = db.prepare('SELECT value FROM keys WHERE type = ? AND id = ?')
  const putKey = db.prepare('INSERT INTO keys(type, id, value) VALUES (?, ?, ?) ON CONFLICT(type, id) DO UPDATE SET value = excluded.value')
  const delKey = db.prepare('DELETE FROM keys WHERE type = ? AND id = ?')

  const stored = getCreds.get() as { value: string } | undefined
  const store: AuthStore = {
    creds: stored ? (JSON.parse(stored.value, BufferJSON.reviver) as AuthenticationCreds) : initAuthCreds(),
    keys: {
      async get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]) {
        const out: { [id: string]: SignalDataTypeMap[T] } = {}
        for (const id of ids) {
          const row = getKey.get(type, id) as { value: string } | undefined
          if (!row) continue
          let value = JSON.parse(row.value, BufferJSON.reviver)
          if (type === 'app-state-sync-key' && value) value = proto.Message.AppStateSyncKeyData.fromObject(value)
          out[id] = value
        }
        return out
      },
      async set(data) {
        const mappings: Array<{ lid: string; pn: string }> = []
        db.transaction(() => {
          for (const [type, entries] of Object.entries(data)) {
            for (const [id, value] of Object.entries(entries ?? {})) {
              if (value === null || value === undefined) delKey.run(type, id)
              else putKey.run(type, id, JSON.stringify(value, BufferJSON.replacer))
              if (type === 'lid-mapping' && typeof value === 'string' && !id.endsWith('_reverse')) mappings.push({ pn: `${id}@s.whatsapp.net`, lid: `${value}@lid` })
            }
          }
        })()
        if (mappings.length) onLidMappings(mappings)
      },
      async clear() {
        db.exec('DELETE FROM keys')
      }
    },
    saveCreds() {
      putCreds.run(JSON.stringify(store.creds, BufferJSON.replacer))
    },
    clear() {
      db.transaction(() => {
        db.exec('DELETE FROM keys; DELETE FROM creds;')
      })()
      store.creds = initAuthCreds()
    },
    close() {
      db.close()
    }
  }
  return store
}

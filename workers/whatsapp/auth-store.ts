// Baileys' auth state (creds and Signal keys) in SQLite. Every key update a peer could depend on is
// committed before Baileys goes on, so a process crash never loses one; the updates that only move a
// contact's receiving chain or a group sender's chain forward wait for the next sync instead (see
// key-sync-policy.ts: Signal tolerates losing them, and committing one per decrypted message cost as much
// as the rest of our work on it). Commits are not fsynced one by one: the sync every `syncMs` writes what
// waits in one transaction and flushes the WAL to disk, so a power loss can cost at most that much of key
// updates; the messages they belonged to come back through WhatsApp's retry receipts.
// Keys are stored as v8-serialized BLOBs: JSON with Baileys' Buffer replacer and reviver runs a JavaScript
// callback for every property. Rows written as JSON by earlier versions are still read. LID<->phone
// mappings Baileys learns are reported as they are stored.
import Database from 'better-sqlite3'
import { privateDatabase } from '../../src/store/private-files.js'
import { open } from 'node:fs/promises'
import { DefaultDeserializer, serialize } from 'node:v8'
import { mayEverWait, mayWait, peerState, soleKey } from './key-sync-policy.js'
import { BufferJSON, initAuthCreds, proto, type AuthenticationCreds, type SignalDataSet, type SignalDataTypeMap, type SignalKeyStore } from '@whiskeysockets/baileys'

export interface AuthStore {
  creds: AuthenticationCreds
  keys: SignalKeyStore
  saveCreds(): void
  /** writes the key updates that wait and starts flushing the WAL to disk (also done every `syncMs`) */
  sync(): void
  /** forget this device: creds and keys go, a new QR follows (the message store is not touched) */
  clear(): void
  close(): void
}

/** how long a key update may wait to be written (receive-only chain progress) or fsynced (the rest) */
export const SYNC_MS = 200

/** byte arrays come back as Buffers, as the JSON reviver gives them: Baileys calls Buffer methods on them */
const readHostObject = (DefaultDeserializer.prototype as unknown as { _readHostObject(): unknown })._readHostObject
class KeyDeserializer extends DefaultDeserializer {
  // node's hook for typed arrays (documented, missing from its typings)
  _readHostObject(): unknown {
    const v = readHostObject.call(this)
    return v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v
  }
}

function decodeKey(stored: string | Buffer): unknown {
  if (typeof stored === 'string') return JSON.parse(stored, BufferJSON.reviver)
  const d = new KeyDeserializer(stored)
  d.readHeader()
  return d.readValue()
}

const encodeKey = (value: unknown): Buffer => serialize(value)

export function openAuthStore(path: string, onLidMappings: (pairs: Array<{ lid: string; pn: string }>) => void, syncMs = SYNC_MS): AuthStore {
  privateDatabase(path)
  const db = new Database(path)
  // the worker's connection is the only one: holding the lock spares every commit the shared-memory locking
  // (a worker that dies releases it with its connection; restarts are tested, and wait for it should it linger)
  db.pragma('busy_timeout = 5000')
  db.pragma('locking_mode = EXCLUSIVE')
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.exec(`CREATE TABLE IF NOT EXISTS creds (id INTEGER PRIMARY KEY CHECK (id = 1), value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS keys (type TEXT NOT NULL, id TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (type, id));`)
  const getCreds = db.prepare('SELECT value FROM creds WHERE id = 1')
  const putCreds = db.prepare('INSERT INTO creds(id, value) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET value = excluded.value')
  const getKey = db.prepare('SELECT rowid, value FROM keys WHERE type = ? AND id = ?')
  const putKey = db.prepare('INSERT INTO keys(type, id, value) VALUES (?, ?, ?) ON CONFLICT(type, id) DO UPDATE SET value = excluded.value RETURNING rowid')
  const delKey = db.prepare('DELETE FROM keys WHERE type = ? AND id = ?')
  // a Signal session is rewritten for every message: updating its row by rowid skips the (type, id) index
  // and the upsert's conflict handling (a tenth of the write in place; most of the rest is the WAL append).
  // The row must still hold the same key: a remembered rowid can be stale (a rolled-back transaction, a row
  // deleted and its rowid given to another key), and then the upsert takes over.
  const updateRow = db.prepare('UPDATE keys SET value = ? WHERE rowid = ? AND type = ? AND id = ?')
  const rowids = new Map<string, number>()
  const rowKey = (type: string, id: string) => `${type} ${id}`

  type KeyWrite = [type: string, id: string, value: Buffer | null]
  const write = ([type, id, value]: KeyWrite): void => {
    const key = rowKey(type, id)
    if (!value) {
      rowids.delete(key)
      delKey.run(type, id)
      return
    }
    const rowid = rowids.get(key)
    if (rowid !== undefined && updateRow.run(value, rowid, type, id).changes === 1) return
    rowids.set(key, (putKey.get(type, id, value) as { rowid: number }).rowid)
  }
  // one transaction function for every call: better-sqlite3 builds a new wrapper each time transaction() runs
  const writeAll = db.transaction((writes: KeyWrite[]) => {
    for (const w of writes) write(w)
  })
  // updates that wait for the sync, the latest per key, and what peers depended on in each key's latest
  // update (committed or waiting): an update waits only if that is unchanged (see key-sync-policy.ts)
  const waiting = new Map<string, [type: string, id: string, value: object]>()
  const peers = new Map<string, string>()
  const notePeers = (key: string, type: string, value: unknown): void => {
    const p = value ? peerState(type, value) : undefined
    if (p === undefined) peers.delete(key)
    else peers.set(key, p)
  }
  const waitingWrites = (): KeyWrite[] => {
    const writes: KeyWrite[] = []
    for (const [type, id, value] of waiting.values()) writes.push([type, id, encodeKey(value)])
    waiting.clear()
    return writes
  }
  /** what waits, then the keys of one set(), committed together; a lone update needs no BEGIN of its own */
  const putKeys = (data: SignalDataSet): Array<{ lid: string; pn: string }> => {
    const writes = waiting.size ? waitingWrites() : []
    const mappings: Array<{ lid: string; pn: string }> = []
    for (const [type, entries] of Object.entries(data)) {
      for (const [id, value] of Object.entries(entries ?? {})) {
        writes.push([type, id, value === null || value === undefined ? null : encodeKey(value)])
        if (mayEverWait(type)) notePeers(rowKey(type, id), type, value)
        if (type === 'lid-mapping' && typeof value === 'string' && !id.endsWith('_reverse')) mappings.push({ pn: `${id}@s.whatsapp.net`, lid: `${value}@lid` })
      }
    }
    if (writes.length === 1) write(writes[0]!)
    else if (writes.length) writeAll(writes)
    return mappings
  }

  // Committed frames reach the disk by an fdatasync of the WAL on libuv's pool, so the worker's event loop
  // never waits for the disk: a checkpoint in its place, with its two fsyncs, held it for 2 ms at the median
  // and up to 7 ms. SQLite's own checkpoint moves the WAL into the database file every 1000 pages.
  let dirty = false
  let syncing = false
  const syncWal = async (): Promise<void> => {
    syncing = true
    dirty = false
    try {
      const wal = await open(`${path}-wal`, 'r+')
      try {
        await wal.datasync()
      } finally {
        await wal.close()
      }
    } catch (err) {
      // no WAL yet means nothing to sync; anything else is tried again at the next tick
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') dirty = true
    } finally {
      syncing = false
    }
  }
  const sync = () => {
    if (!db.open) return
    if (waiting.size) {
      writeAll(waitingWrites())
      dirty = true
    }
    if (dirty && !syncing) void syncWal()
  }
  const syncTimer = setInterval(sync, syncMs)
  syncTimer.unref()

  const stored = getCreds.get() as { value: string } | undefined
  const store: AuthStore = {
    creds: stored ? (JSON.parse(stored.value, BufferJSON.reviver) as AuthenticationCreds) : initAuthCreds(),
    keys: {
      async get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]) {
        const out: { [id: string]: SignalDataTypeMap[T] } = {}
        const mayHold = mayEverWait(type)
        for (const id of ids) {
          const key = rowKey(type, id)
          const held = mayHold ? waiting.get(key) : undefined
          if (held) {
            out[id] = held[2] as SignalDataTypeMap[T]
            continue
          }
          const row = getKey.get(type, id) as { rowid: number; value: string | Buffer } | undefined
          if (!row) continue
          rowids.set(key, row.rowid)
          let value = decodeKey(row.value) as SignalDataTypeMap[T]
          if (mayHold) notePeers(key, type, value)
          if (type === 'app-state-sync-key' && value) value = proto.Message.AppStateSyncKeyData.fromObject(value as object) as unknown as SignalDataTypeMap[T]
          out[id] = value
        }
        return out
      },
      async set(data) {
        const sole = soleKey(data)
        if (sole) {
          const key = rowKey(sole[0], sole[1])
          if (mayWait(peers.get(key), peerState(sole[0], sole[2]))) {
            waiting.set(key, sole)
            return
          }
        }
        const mappings = putKeys(data)
        dirty = true
        if (mappings.length) onLidMappings(mappings)
      },
      async clear() {
        waiting.clear()
        peers.clear()
        rowids.clear()
        db.exec('DELETE FROM keys')
      }
    },
    saveCreds() {
      putCreds.run(JSON.stringify(store.creds, BufferJSON.replacer))
      dirty = true
    },
    sync,
    clear() {
      waiting.clear()
      peers.clear()
      rowids.clear()
      db.transaction(() => {
        db.exec('DELETE FROM keys; DELETE FROM creds;')
      })()
      store.creds = initAuthCreds()
    },
    close() {
      clearInterval(syncTimer)
      if (waiting.size) writeAll(waitingWrites())
      // a checkpoint syncs the WAL to disk, then copies it into the database file
      db.pragma('wal_checkpoint(PASSIVE)')
      db.close()
    }
  }
  return store
}

import Database from 'better-sqlite3'
import { privateDatabase } from './private-files.js'
import { MIGRATIONS, SCHEMA_VERSION } from './schema.js'

export type Db = Database.Database

/** The writer's connection: creates and migrates the file. */
export function openWriter(path: string): Db {
  privateDatabase(path)
  const db = new Database(path)
  db.pragma('journal_mode = WAL')
  // every commit reaches the disk before it returns: WhatsApp is told "delivered" only after a commit
  // (workers/whatsapp/ack-gate.ts), and that must hold through a power loss too, not only a process crash.
  // Writes come in batched transactions, so the fsync is paid once per batch, not per message.
  db.pragma('synchronous = FULL')
  db.pragma('busy_timeout = 5000')
  db.pragma('foreign_keys = OFF')
  // the indexes on (chat, id), (chat, time) and the FTS segments take random pages: a bigger cache than
  // SQLite's 2 MB default keeps a large history sync from reading them back from disk again and again
  db.pragma('cache_size = -65536')
  const current = db.pragma('user_version', { simple: true }) as number
  if (current > SCHEMA_VERSION) throw new Error(`store schema ${current} is newer than this build (${SCHEMA_VERSION})`)
  for (let v = current; v < SCHEMA_VERSION; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!)
      db.pragma(`user_version = ${v + 1}`)
    })()
  }
  return db
}

/** A reader: never writes, never blocks the writer (WAL). */
export function openReader(path: string): Db {
  const db = new Database(path, { readonly: true, fileMustExist: true })
  db.pragma('busy_timeout = 5000')
  return db
}

/** prepares each distinct SQL text once per connection: preparing costs more than a small indexed read */
export function statementCache(db: Db): (sql: string) => Database.Statement {
  const cache = new Map<string, Database.Statement>()
  return (sql) => {
    let s = cache.get(sql)
    if (!s) {
      s = db.prepare(sql)
      cache.set(sql, s)
    }
    return s
  }
}

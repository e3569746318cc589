// Read-only looks into a server's store file (DATA_DIR/store.sqlite), for the crash harness: what a killed
// or running server has committed. Opened and closed per look, so a look never holds the server's file.
import Database from 'better-sqlite3'
import { existsSync } from 'node:fs'
import { join } from 'node:path'

/** a stored message as the checks see it: a `system` row with body CIPHERTEXT is an undecrypted stub */
export interface StoredMessage {
  id: string
  chat: string
  type: string
  body: string | null
}

/** every stored message by id (the harness's ids are unique across chats) */
export function storedMessages(dataDir: string): Map<string, StoredMessage> {
  const file = join(dataDir, 'store.sqlite')
  const out = new Map<string, StoredMessage>()
  if (!existsSync(file)) return out
  const db = new Database(file, { readonly: true, fileMustExist: true })
  try {
    db.pragma('busy_timeout = 2000')
    const rows = db.prepare('SELECT id, chat_jid AS chat, type, body FROM messages').all() as StoredMessage[]
    // one id may sit in a phone-number chat and its LID twin: the copy with content counts
    for (const r of rows) if (!hasContent(out.get(r.id))) out.set(r.id, r)
  } finally {
    db.close()
  }
  return out
}

/** stored with its content (not only the stub Baileys keeps for a message it could not decrypt) */
export const hasContent = (m: StoredMessage | undefined): boolean => !!m && !(m.type === 'system' && m.body === 'CIPHERTEXT')

/** how many of `ids` are stored with content, stored only as an undecrypted stub, and not stored at all */
export function tally(dataDir: string, ids: Iterable<string>): { stored: number; stubs: string[]; missing: string[] } {
  const have = storedMessages(dataDir)
  let stored = 0
  const stubs: string[] = []
  const missing: string[] = []
  for (const id of ids) {
    const m = have.get(id)
    if (hasContent(m)) stored++
    else if (m) stubs.push(id)
    else missing.push(id)
  }
  return { stored, stubs, missing }
}

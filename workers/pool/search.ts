// Pool task: full-text search. A search over common words touches many index entries, so it runs here,
// off the event loop, on a read-only connection kept for the thread's life.
import { openReader, type Db } from '../../src/store/open-db.js'
import { MessagesRepo, type MessageRow } from '../../src/store/messages-repo.js'

const repos = new Map<string, { db: Db; repo: MessagesRepo }>()

export interface SearchTask {
  dbPath: string
  query: string
  chatJid?: string
  limit: number
  cursor?: string
}

export default function search(t: SearchTask): { messages: MessageRow[]; next_cursor: string | null } {
  let r = repos.get(t.dbPath)
  if (!r) {
    const db = openReader(t.dbPath)
    r = { db, repo: new MessagesRepo(db) }
    repos.set(t.dbPath, r)
  }
  return r.repo.search({ query: t.query, chatJid: t.chatJid, limit: t.limit, cursor: t.cursor })
}

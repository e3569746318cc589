// Pool task: full-text search. A search over common words touches many index entries, so it runs here,
// off the event loop, on a read-only connection kept for the thread's life. The page comes back as the
// tools' JSON text: a string crosses the thread boundary cheaper than the row objects would.
import { openReader, type Db } from '../../src/store/open-db.js'
import { MessagesRepo } from '../../src/store/messages-repo.js'
import { toMessage } from '../../src/mcp/schemas.js'
import type { ChatScope } from '../../src/access/principal.js'

const repos = new Map<string, { db: Db; repo: MessagesRepo }>()

export interface SearchTask {
  dbPath: string
  query: string
  chatJid?: string
  limit: number
  cursor?: string
  /** the caller's chats, passed into the query so a page stays full */
  scope?: ChatScope
}

export default function search(t: SearchTask): { json: string; next_cursor: string | null } {
  let r = repos.get(t.dbPath)
  if (!r) {
    const db = openReader(t.dbPath)
    r = { db, repo: new MessagesRepo(db) }
    repos.set(t.dbPath, r)
  }
  const page = r.repo.search({ query: t.query, chatJid: t.chatJid, limit: t.limit, cursor: t.cursor, scope: t.scope })
  return { json: JSON.stringify(page.messages.map(toMessage)), next_cursor: page.next_cursor }
}

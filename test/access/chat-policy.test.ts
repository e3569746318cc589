// The pure policy: which chats a principal sees (its scope joined with "never" chats), what a send to a
// chat meets, and the SQL condition pages carry, against a real SQLite table so the condition is run.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import Database from 'better-sqlite3'
import { ChatAccess, ChatAccessCache, effectiveScope, scopeWhere, type PolicySnapshot } from '../../src/access/chat-policy.js'
import type { ChatScope, Principal, Toolset } from '../../src/access/principal.js'
import { STATIC_PRINCIPAL } from '../../src/access/principal.js'
import { mayUse, publishedToolsets, toolsetOf } from '../../src/access/toolsets.js'
import { TOOLS } from '../../src/mcp/tools/index.js'
import { AppError } from '../../src/errors/app-error.js'

const A = '111@s.whatsapp.net'
const B = '222@s.whatsapp.net'
const G = '333-444@g.us'
const N = '555@s.whatsapp.net'
const ALL_CHATS = [A, B, G, N]
const policies: PolicySnapshot = { version: 1, byJid: new Map([[A, 'read_only'], [B, 'approval'], [N, 'never']]), never: [N] }
const principal = (chats: ChatScope, toolsets: Toolset[] = ['read', 'send']): Principal => ({ id: 'p', kind: 'credential', name: 'p', toolsets: new Set(toolsets), chats })
const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn()
    return undefined
  } catch (err) {
    return (err as AppError).code
  }
}

test('what each kind of principal sees, reads and may send to', () => {
  // [what, principal, the chats it sees]
  const rows: Array<[string, Principal, string[]]> = [
    ['every chat, never hidden', principal({ mode: 'all' }), [A, B, G]],
    ['an allow list that names a never chat', principal({ mode: 'allow', jids: [A, N] }), [A]],
    ['a deny list', principal({ mode: 'deny', jids: [G] }), [A, B]],
    ['the admin toolset sees never chats', principal({ mode: 'all' }, ['admin']), ALL_CHATS],
    ['the static token', STATIC_PRINCIPAL, ALL_CHATS]
  ]
  for (const [what, p, sees] of rows) {
    const a = new ChatAccess(p, effectiveScope(p, policies), policies)
    assert.deepEqual(ALL_CHATS.filter((j) => a.sees(j)), sees, what)
    for (const j of ALL_CHATS) assert.equal(codeOf(() => a.read(j)), sees.includes(j) ? undefined : 'CHAT_FORBIDDEN', `${what}: read ${j}`)
    const sendCode = (j: string) => (!sees.includes(j) ? 'CHAT_FORBIDDEN' : j === A ? 'CHAT_READ_ONLY' : undefined)
    for (const j of ALL_CHATS) assert.equal(codeOf(() => a.write(j)), sendCode(j), `${what}: write ${j}`)
  }
})

test('the SQL condition keeps exactly the chats a scope sees, with rows of no chat when asked', () => {
  const db = new Database(':memory:')
  db.exec('CREATE TABLE t (jid TEXT)')
  for (const j of [...ALL_CHATS, null]) db.prepare('INSERT INTO t VALUES (?)').run(j)
  const scopes: ChatScope[] = [{ mode: 'all' }, { mode: 'allow', jids: [A, G] }, { mode: 'deny', jids: [B] }, { mode: 'allow', jids: ["x') OR 1=1 --"] }]
  for (const scope of scopes) {
    for (const nullPasses of [false, true]) {
      const w = scopeWhere(scope, 'jid', nullPasses)
      const got = (db.prepare(`SELECT jid FROM t${w ? ` WHERE ${w.sql}` : ''}`).all(...(w?.params ?? [])) as Array<{ jid: string | null }>).map((r) => r.jid)
      const a = new ChatAccess(principal(scope), scope, policies)
      const want = [...ALL_CHATS.filter((j) => a.sees(j)), ...(nullPasses || !w ? [null] : [])]
      assert.deepEqual(got, want, `${JSON.stringify(scope)} nullPasses=${nullPasses}`)
    }
  }
})

test('the access of a principal is rebuilt when the policy changes, and kept while it does not', () => {
  let snap = policies
  const cache = new ChatAccessCache(() => snap)
  const p = principal({ mode: 'all' })
  const first = cache.of(p)
  assert.equal(cache.of(p), first)
  assert.equal(first.sees(N), false)
  snap = { version: 2, byJid: new Map(), never: [] }
  assert.equal(cache.of(p).sees(N), true)
})

test('every published tool names its toolset; MCP_TOOLSETS and the principal decide who may use it', () => {
  for (const t of TOOLS) assert.ok(t.toolset, `${t.name} has no toolset`)
  const read = TOOLS.filter((t) => toolsetOf(t) === 'read')
  // download_media writes the file into our own media folder, and changes nothing on WhatsApp
  assert.deepEqual(read.filter((t) => !t.annotations.readOnlyHint).map((t) => t.name), ['download_media'])
  assert.deepEqual([...publishedToolsets(['read'])], ['read'])
  assert.equal(publishedToolsets([]).size, 6)
  assert.equal(mayUse(principal({ mode: 'all' }, ['read']), 'send'), false)
  assert.equal(mayUse(STATIC_PRINCIPAL, 'audit'), true)
  assert.equal(toolsetOf({}), 'admin')
})

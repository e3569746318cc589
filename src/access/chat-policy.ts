// Which chats a caller may see and act on: the principal's chat scope joined with the per-chat policy
// the admin sets ("never for agents", "read only", "needs approval"). Pure: the policy store and
// the tools hand it the facts, it answers yes or no, or gives the SQL condition that pages must carry so
// a page of 50 is 50 chats the caller may see, never 50 filtered down to 3.
import { AppError } from '../errors/app-error.js'
import type { ChatScope, Principal } from './principal.js'

/** what the admin may mark a chat with; no entry means the chat follows the credentials alone */
export const CHAT_POLICIES = ['never', 'read_only', 'approval'] as const
export type ChatPolicy = (typeof CHAT_POLICIES)[number]

/** the per-chat policies at one moment; `version` changes with every edit */
export interface PolicySnapshot {
  readonly version: number
  readonly byJid: ReadonlyMap<string, ChatPolicy>
  /** the chats marked never, for the scope */
  readonly never: readonly string[]
}

export const EMPTY_POLICIES: PolicySnapshot = { version: 0, byJid: new Map(), never: [] }

/** "never for agents" chats stay visible to principals that hold the admin toolset (the static token does) */
export function seesNeverChats(p: Principal): boolean {
  return p.toolsets === 'all' || p.toolsets.has('admin')
}

/** the principal's scope with the never-chats taken out: what every read of this caller is limited to */
export function effectiveScope(p: Principal, policies: PolicySnapshot): ChatScope {
  const never = seesNeverChats(p) ? [] : policies.never
  const scope = p.chats
  if (!never.length) return scope
  if (scope.mode === 'all') return { mode: 'deny', jids: [...never] }
  if (scope.mode === 'deny') return { mode: 'deny', jids: [...new Set([...scope.jids, ...never])] }
  const hidden = new Set(never)
  return { mode: 'allow', jids: scope.jids.filter((j) => !hidden.has(j)) }
}

export function inScope(scope: ChatScope, jid: string): boolean {
  if (scope.mode === 'all') return true
  const listed = scope.jids.includes(jid)
  return scope.mode === 'allow' ? listed : !listed
}

/**
 * A SQL condition on `column` that keeps only the chats of `scope`, with its one parameter (the list as
 * JSON, so one prepared statement serves every list length). `nullPasses`: rows without a chat (a
 * connection event) stay.
 */
export function scopeWhere(scope: ChatScope | undefined, column: string, nullPasses = false): { sql: string; params: unknown[] } | undefined {
  if (!scope || scope.mode === 'all') return undefined
  const cond = `${column} ${scope.mode === 'allow' ? 'IN' : 'NOT IN'} (SELECT value FROM json_each(?))`
  return { sql: nullPasses ? `(${column} IS NULL OR ${cond})` : cond, params: [JSON.stringify(scope.jids)] }
}

/** a short stable text naming a scope, for cache keys: two callers with the same scope share answers */
export function scopeKey(scope: ChatScope): string {
  return scope.mode === 'all' ? 'all' : `${scope.mode}:${[...scope.jids].sort().join(',')}`
}

/**
 * What one call may touch. Built per principal and policy version (ChatAccessCache), so a call pays a
 * lookup, not a rebuild.
 */
export class ChatAccess {
  readonly key: string
  private readonly listed: ReadonlySet<string>

  constructor(readonly principal: Principal, readonly scope: ChatScope, private readonly policies: PolicySnapshot) {
    this.key = scopeKey(scope)
    this.listed = new Set(scope.mode === 'all' ? [] : scope.jids)
  }

  /** whether the caller may see this chat (canonical JID) */
  sees(jid: string): boolean {
    if (this.scope.mode === 'all') return true
    return this.scope.mode === 'allow' ? this.listed.has(jid) : !this.listed.has(jid)
  }

  /** the chat, or CHAT_FORBIDDEN; judged on the JID alone, before any lookup, so it tells nothing of what exists */
  read(jid: string): string {
    if (!this.sees(jid)) throw new AppError('CHAT_FORBIDDEN', `The chat ${jid} is outside what this credential may see.`, { chat_jid: jid })
    return jid
  }

  /**
   * The chat, when the caller may send to it or act on it: CHAT_FORBIDDEN or CHAT_READ_ONLY otherwise. A
   * chat marked `approval` passes: the approval gate (src/approvals) then asks a person before the call acts.
   */
  write(jid: string): string {
    this.read(jid)
    const policy = this.policies.byJid.get(jid)
    if (policy === 'read_only') throw new AppError('CHAT_READ_ONLY', `The chat ${jid} is marked read only: agents may read it but not send to it or act on it.`, { chat_jid: jid })
    return jid
  }

  /** the SQL condition for `column`, undefined when the caller sees every chat */
  where(column: string, nullPasses = false): { sql: string; params: unknown[] } | undefined {
    return scopeWhere(this.scope, column, nullPasses)
  }
}

/** one ChatAccess per principal and policy version */
export class ChatAccessCache {
  private built = new WeakMap<Principal, ChatAccess>()
  private version = -1

  constructor(private readonly policies: () => PolicySnapshot) {}

  of(p: Principal): ChatAccess {
    const snap = this.policies()
    if (snap.version !== this.version) {
      this.version = snap.version
      // a WeakMap cannot be cleared: a new one forgets every access built on the old policies
      this.built = new WeakMap()
    }
    let a = this.built.get(p)
    if (!a) this.built.set(p, (a = new ChatAccess(p, effectiveScope(p, snap), snap)))
    return a
  }
}

// What the audit trail records of a tool call, decided without I/O: which tools count, which chats and
// messages a call touched, and the arguments as they may be kept (long values elided, message bodies left
// out unless the operator asked for them, media bytes never). The shell that stores it is audit-log.ts.

/** a string argument longer than this is kept as its length alone */
export const ARG_MAX_CHARS = 200
/** at most this many chats and message ids per record (forwarding to 100 chats stays one readable row) */
export const IDS_MAX = 50

/**
 * Tools that touch no WhatsApp data: `ping` answers from the process, `check_auth_status` reads the link
 * state an agent polls. Everything else reads or changes the account's data (`get_qr_code` and `logout`
 * change who may act for the account, so they count).
 */
export const UNAUDITED_TOOLS: ReadonlySet<string> = new Set(['ping', 'check_auth_status'])

/** arguments that carry what a person wrote: left out unless bodies are kept */
const BODY_ARGS: ReadonlySet<string> = new Set(['message', 'text', 'caption', 'question', 'options', 'contacts'])
/** arguments that carry file bytes: never kept, whatever the setting */
const BYTES_ARGS: ReadonlySet<string> = new Set(['media_content'])
/** arguments naming one chat (a JID or a phone number) */
const CHAT_ARGS = ['recipient_jid', 'chat_jid', 'chat_id', 'jid', 'to', 'contact_jid'] as const
/** arguments naming a message, in the `chat_jid:id` form or as a bare id */
const MESSAGE_ARGS = ['message_id', 'reply_to'] as const

/** how a call ended: a result, a coded failure, or the client's cancellation */
export type AuditOutcome = 'ok' | 'error' | 'cancelled'

/** one row of the trail, as stored and as /api/audit returns it */
export interface AuditRecord {
  id: number
  /** ms since the epoch, when the call (or the event) happened */
  at: number
  /** `tool` for a tools/call; later kinds (approval requests and decisions) come through recordEvent */
  kind: string
  /** the credential's display name (`no token` on a server without MCP_AUTH_TOKEN) */
  credential: string
  /** what kind of principal made the call (static, open, credential, oauth), when known */
  credential_kind: string | null
  /** the MCP client's own name (clientInfo.name), when it gave one */
  client: string | null
  tool: string | null
  /** chats the call named or reached, canonical as the call gave them */
  chats: string[]
  /** message ids (`chat_jid:id`) the call named, or the one it sent */
  message_ids: string[]
  outcome: AuditOutcome
  /** the error code of a failure; null for a result and for a cancelled call */
  code: string | null
  duration_ms: number | null
  /** the arguments as kept (see elideArgs), or an event's details */
  details: Record<string, unknown>
}

/** what an entry point hands the trail; the log numbers it */
export type AuditEntry = Omit<AuditRecord, 'id'>

/** a tools/call as the dispatcher saw it */
export interface ToolCallFacts {
  tool: string
  args: Record<string, unknown>
  /** the structured result, when the tool returned an object (sends carry the new message id) */
  result?: unknown
  outcome: AuditOutcome
  code?: string
  startedAt: number
  durationMs: number
  principal?: { name: string; kind: string }
  clientName?: string
}

/** whether a call of `tool` is recorded */
export const isAudited = (tool: string): boolean => !UNAUDITED_TOOLS.has(tool)

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined)

/** a value small enough to keep as it is, or what is said in its place */
function elideValue(v: unknown, depth: number): unknown {
  if (typeof v === 'string') return v.length > ARG_MAX_CHARS ? `…(${v.length} chars)` : v
  if (v === null || typeof v !== 'object') return v
  if (depth >= 3) return '…(nested)'
  if (Array.isArray(v)) return v.length > IDS_MAX ? `…(${v.length} items)` : v.map((x) => elideValue(x, depth + 1))
  return capKeys(Object.entries(v).map(([k, x]) => [k, elideValue(x, depth + 1)]))
}

/** at most IDS_MAX members, the rest counted: arguments refused as invalid may hold any number of keys */
function capKeys(entries: Array<[string, unknown]>): Record<string, unknown> {
  const out = Object.fromEntries(entries.slice(0, IDS_MAX))
  if (entries.length > IDS_MAX) out['…'] = `${entries.length - IDS_MAX} more keys`
  return out
}

/**
 * The arguments as the trail keeps them: strings over ARG_MAX_CHARS become `…(N chars)`, long lists
 * `…(N items)`, members past IDS_MAX counted under `…`; bodies (message, text, caption, poll and contact contents) are `…(omitted, N chars)`
 * unless `keepBodies`; media bytes are `…(bytes omitted, N chars)` always.
 */
export function elideArgs(args: Record<string, unknown>, keepBodies: boolean): Record<string, unknown> {
  const out: Array<[string, unknown]> = []
  for (const [k, v] of Object.entries(args)) {
    if (v === undefined) continue
    const size = typeof v === 'string' ? `${v.length} chars` : `${JSON.stringify(v)?.length ?? 0} chars`
    if (BYTES_ARGS.has(k)) out.push([k, `…(bytes omitted, ${size})`])
    else if (BODY_ARGS.has(k) && !keepBodies) out.push([k, `…(omitted, ${size})`])
    else out.push([k, elideValue(v, 0)])
  }
  return capKeys(out)
}

/** the chat part of `chat_jid:id`; undefined for a bare id (no colon, or a colon inside no JID) */
const chatOfMessageId = (ref: string): string | undefined => {
  const i = ref.lastIndexOf(':')
  const chat = i > 0 ? ref.slice(0, i) : ''
  return chat.includes('@') ? chat : undefined
}

/** the chats and message ids a call named in its arguments, and for sends the message it made */
export function touched(args: Record<string, unknown>, result: unknown): { chats: string[]; messageIds: string[] } {
  const chats = new Set<string>()
  const ids = new Set<string>()
  for (const k of CHAT_ARGS) {
    const v = str(args[k])
    if (v) chats.add(v)
  }
  if (Array.isArray(args.chats)) for (const c of args.chats) if (str(c)) chats.add(c as string)
  for (const k of MESSAGE_ARGS) {
    const v = str(args[k])
    if (!v) continue
    ids.add(v)
    const chat = chatOfMessageId(v)
    if (chat) chats.add(chat)
  }
  const r = result !== null && typeof result === 'object' ? (result as Record<string, unknown>) : undefined
  const sentChat = str(r?.chat_jid)
  const sentId = str(r?.message_id)
  if (sentChat) chats.add(sentChat)
  if (sentId) {
    ids.add(sentId)
    const chat = chatOfMessageId(sentId)
    if (chat) chats.add(chat)
  }
  return { chats: [...chats].slice(0, IDS_MAX), messageIds: [...ids].slice(0, IDS_MAX) }
}

/** the record of one tools/call */
export function toolEntry(f: ToolCallFacts, keepBodies: boolean): AuditEntry {
  const { chats, messageIds } = touched(f.args, f.outcome === 'ok' ? f.result : undefined)
  return {
    at: f.startedAt,
    kind: 'tool',
    credential: f.principal?.name ?? 'no token',
    credential_kind: f.principal?.kind ?? null,
    client: f.clientName ? f.clientName.slice(0, ARG_MAX_CHARS) : null,
    tool: f.tool,
    chats,
    message_ids: messageIds,
    outcome: f.outcome,
    code: f.outcome === 'error' ? (f.code ?? 'INTERNAL') : null,
    duration_ms: Math.round(f.durationMs),
    details: elideArgs(f.args, keepBodies)
  }
}

/** the record of something other than a tool call (an approval request or decision, say) */
export function eventEntry(kind: string, actor: { name: string; kind?: string }, details: Record<string, unknown>, at: number, keepBodies = false): AuditEntry {
  return {
    at,
    kind,
    credential: actor.name,
    credential_kind: actor.kind ?? null,
    client: null,
    tool: typeof details.tool === 'string' ? details.tool : null,
    chats: typeof details.chat_jid === 'string' ? [details.chat_jid] : [],
    message_ids: typeof details.message_id === 'string' ? [details.message_id] : [],
    outcome: 'ok',
    code: null,
    duration_ms: null,
    details: elideArgs(details, keepBodies)
  }
}

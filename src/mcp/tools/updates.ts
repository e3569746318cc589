// Hearing WhatsApp without polling chats: get_updates pages the event log with signed cursors, and
// wait_for_messages returns as soon as a matching incoming message is committed.
import { z } from 'zod'
import { defineTool, READ_ONLY, type ToolContext } from '../tool.js'
import { canonicalJid, jidInput, messageShape, toMessage } from '../schemas.js'
import { AppError } from '../../errors/app-error.js'
import { EVENT_KINDS } from '../../store/event-log.js'
import { eventShape, toEvent } from '../event-json.js'
import type { Services } from '../../app/services.js'
import type { Waiter } from '../message-waiters.js'
import type { MessageEventQuery } from '../../store/events-repo.js'

const cursorArg = z.string().max(100).optional()

/** the log position `since` names, refusing one from another server or one the retention dropped */
function after(s: Services, since: string | undefined): number {
  const { last, first } = s.events.bounds()
  if (since === undefined) return last
  const seq = s.cursors.decode(since)
  if (seq > last) throw new AppError('CURSOR_INVALID', 'This cursor is ahead of the event log; call again without since.')
  const pruned = first === null ? seq < last : seq < first - 1
  if (pruned) throw new AppError('CURSOR_EXPIRED', 'Events after this cursor are older than the event log keeps (EVENT_LOG_RETENTION_DAYS / EVENT_LOG_MAX_EVENTS). Call get_updates without since to start from now, and read the chats you care about with list_messages to catch up.')
  return seq
}

export const getUpdates = defineTool({
  name: 'get_updates',
  toolset: 'read',
  description:
    'What changed since the cursor, oldest first: messages (ours with from_me), edits, deletes, reactions, receipts, poll votes, chat, group, contact and connection changes. Without since: empty, with the cursor of now. Pass next_cursor as since: nothing missed or twice, across restarts.',
  input: {
    since: cursorArg.describe('next_cursor of the previous call'),
    chats: z.array(jidInput()).max(100).optional(),
    kinds: z.array(z.enum(EVENT_KINDS)).max(EVENT_KINDS.length).optional(),
    limit: z.number().int().min(1).max(500).default(100)
  },
  output: { events: z.array(eventShape), next_cursor: z.string(), has_more: z.boolean() },
  annotations: { title: 'Get updates', ...READ_ONLY, idempotentHint: true },
  async run(a, { services, chats: access }) {
    const from = after(services, a.since)
    const chats = a.chats?.map((c) => knownChat(services, access.read(canonicalJid(services, c, access))))
    const { events, last } = services.events.page({ after: from, chats, kinds: a.kinds, limit: a.limit + 1, scope: access.scope })
    const more = events.length > a.limit
    const page = more ? events.slice(0, a.limit) : events
    // a full page ends at its last event; a short one has seen everything up to the log's newest number
    const next = more ? page.at(-1)!.seq : last
    return { events: page.map((e) => toEvent(services.cursors, e)), next_cursor: services.cursors.encode(next), has_more: more }
  }
})

function knownChat(s: Services, input: string): string {
  const jid = canonicalJid(s, input)
  if (!s.chats.get(jid)) throw new AppError('CHAT_NOT_FOUND', `No chat with ${jid} is known; list_chats shows the chats there are.`)
  return jid
}

export const waitForMessages = defineTool({
  name: 'wait_for_messages',
  toolset: 'read',
  description:
    'Returns as soon as an incoming message matching chat_id, from and contains is stored (or is there after since), else empty after timeout_s. Pass next_cursor as since next time to miss none.',
  input: {
    chat_id: jidInput().optional(),
    from: jidInput().optional(),
    contains: z.string().min(1).max(200).optional(),
    since: cursorArg.describe('next_cursor of get_updates or an earlier wait'),
    timeout_s: z.number().int().min(1).max(300).default(60),
    limit: z.number().int().min(1).max(50).default(20)
  },
  output: { messages: z.array(messageShape), next_cursor: z.string(), timed_out: z.boolean() },
  annotations: { title: 'Wait for messages', ...READ_ONLY, idempotentHint: false },
  // a 2026 client with the tasks extension polls the wait instead of holding a request open for minutes
  taskSupport: 'optional',
  // pinned to the log position of its start, the wait run again after a restart misses nothing
  rerunnable: (a, s) => ({ ...a, since: a.since === undefined ? s.cursors.encode(s.events.bounds().last) : a.since }),
  // not async: an async wrapper would hold one more promise for every waiting call
  run(a, ctx) {
    const s = ctx.services
    const q: WaitQuery = { after: after(s, a.since), chat: a.chat_id ? knownChat(s, ctx.chats.read(canonicalJid(s, a.chat_id, ctx.chats))) : undefined, from: a.from ? canonicalJid(s, a.from, ctx.chats) : undefined, contains: a.contains, limit: a.limit, scope: ctx.chats.scope }
    const now = s.events.incoming(q)
    if (now.rows.length) return Promise.resolve(answerOf(s, now, false))
    // a wait on a sender alone is woken by any chat: their messages may come in a group
    return waitFor(ctx, q, a.timeout_s * 1000)
  }
})

// apart from run: what a waiting call keeps is only what this function's closures see (not the arguments)
function waitFor(ctx: ToolContext, q: WaitQuery, ms: number): Promise<ReturnType<typeof answerOf>> {
  return new Promise((resolve, reject) => {
    const w = new PendingWait(ctx, q, ms, resolve, reject)
    ctx.services.waiters.add(w)
    ctx.onCancel(() => w.expire())
  })
}

type WaitQuery = MessageEventQuery

type Incoming = ReturnType<Services['events']['incoming']>

function answerOf(s: Services, r: Incoming, timedOut: boolean) {
  return {
    messages: r.rows.map((row) => s.messages.get(row.message_id, row.chat_jid)).filter((m) => !!m).map(toMessage),
    next_cursor: s.cursors.encode(r.rows.length ? r.rows.at(-1)!.seq : r.last),
    timed_out: timedOut
  }
}

/** one waiting call: what it looks for (it is its own store query) and how to answer, and nothing else (see message-waiters.ts) */
class PendingWait implements Waiter, WaitQuery {
  slot = -1
  readonly after: number
  readonly chat: string | undefined
  readonly from: string | undefined
  readonly contains: string | undefined
  readonly limit: number
  readonly scope: WaitQuery['scope']
  readonly deadline: number
  private done = false

  constructor(
    private readonly ctx: ToolContext,
    q: WaitQuery,
    private readonly total: number,
    private readonly resolve: (v: ReturnType<typeof answerOf>) => void,
    private readonly reject: (err: unknown) => void
  ) {
    this.after = q.after
    this.chat = q.chat
    this.from = q.from
    this.contains = q.contains
    this.limit = q.limit
    this.scope = q.scope
    this.deadline = Date.now() + total
  }

  get caller(): object {
    return this.ctx.caller
  }

  get progress(): boolean {
    return this.ctx.progressToken !== undefined
  }

  wake(): void {
    const r = this.ctx.services.events.incoming(this)
    if (r.rows.length) this.finish(r, false)
  }

  expire(): void {
    if (!this.done) this.finish(this.ctx.services.events.incoming(this), true)
  }

  tick(): void {
    this.ctx.notify('notifications/progress', { progressToken: this.ctx.progressToken!, progress: this.total - (this.deadline - Date.now()), total: this.total, message: 'waiting for a message' })
  }

  private finish(r: Incoming, timedOut: boolean): void {
    if (this.done) return
    this.done = true
    this.ctx.services.waiters.remove(this)
    try {
      this.resolve(answerOf(this.ctx.services, r, timedOut))
    } catch (err) {
      this.reject(err)
    }
  }
}

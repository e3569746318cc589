// schedule_message, list_scheduled, cancel_scheduled: sends stored in the outbox to go out at a time.
// A scheduled message is judged (chat scope, policy, approval) when it is scheduled, and paced when it fires.
import { z } from 'zod'
import { defineTool, READ_ONLY } from '../tool.js'
import { canonicalJid, cursorInput, jidInput, limitInput, nextCursor } from '../schemas.js'
import { toMs } from '../time-input.js'
import { AppError } from '../../errors/app-error.js'
import { scheduleDueAt } from '../../outbox/outbox-policy.js'
import { OUTBOX_STATUSES, type OutboxOperation } from '../../outbox/outbox-types.js'
import type { Outbox } from '../../outbox/outbox.js'
import { toScheduled } from '../../outbox/entry-view.js'
import type { Services } from '../../app/services.js'
import { recipient, sendMedia } from './send.js'
import { approved } from '../../approvals/gate-call.js'

/** send_media's arguments as a scheduled media send takes them (the recipient and the key are the schedule's own) */
const mediaArgs = z.object(sendMedia.input).omit({ recipient_jid: true, idempotency_key: true, include_full_data: true }).strict()

// optional, not nullable: a field with nothing to say is left out (the catalog pays for every anyOf)
const entryShape = z.object({ id: z.string(), kind: z.string(), status: z.string(), chat_jid: z.string(), send_at: z.string(), text: z.string().optional(), message_id: z.string().optional(), error: z.string().optional() })

const iso = (ms: number): string => new Date(ms).toISOString()

function outbox(s: Services): Outbox {
  if (!s.outbox) throw new AppError('SHUTTING_DOWN', 'The outbox is not running.')
  return s.outbox
}

/** send_at as ms; an ISO time must carry its offset (a bare local time is a guess we do not make) */
function sendAtMs(v: string | number | undefined): number | undefined {
  if (typeof v === 'string' && /T\d/.test(v) && !/(Z|[+-]\d{2}:?\d{2})$/i.test(v.trim())) throw new AppError('INVALID_INPUT', `send_at "${v.slice(0, 40)}" has no offset; add one (Z, +01:00) so the time is not a guess.`, { argument: 'send_at' })
  return toMs(v, 'send_at')
}

/** one scheduled send as it will go: the send tool it runs as, and that tool's arguments */
interface ScheduledSend {
  operation: OutboxOperation
  args: Record<string, unknown>
}

export const scheduleMessage = defineTool({
  name: 'schedule_message',
  toolset: 'send',
  description: 'Sends a text, or media (send_media arguments), at send_at or after delay_seconds; once, across restarts.',
  input: {
    recipient_jid: jidInput(),
    message: z.string().min(1).max(65536).optional(),
    media: z.record(z.string(), z.unknown()).optional(),
    reply_to: z.string().max(300).optional(),
    send_at: z.union([z.string().max(40), z.number()]).optional().describe('ISO 8601 with offset'),
    delay_seconds: z.number().min(0).optional(),
    idempotency_key: z.string().min(1).max(200).optional()
  },
  output: { id: z.string(), status: z.string(), send_at: z.string(), deduplicated: z.boolean() },
  annotations: { title: 'Schedule a message', readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async run(a, ctx) {
    const { services, chats, principal } = ctx
    const to = chats.write(recipient(services, a.recipient_jid, chats))
    const box = outbox(services)
    // a retry gets the first entry back before anything is judged again: its send_at may have passed since
    const had = a.idempotency_key ? box.byKey(principal.id, a.idempotency_key) : undefined
    if (had) {
      if (had.chatJid !== to) throw new AppError('IDEMPOTENCY_KEY_CONFLICT', `idempotency_key "${a.idempotency_key}" was used for a send to another chat (${had.id}).`, { id: had.id })
      return { id: had.id, status: had.status, send_at: iso(had.dueAt), deduplicated: true }
    }
    const dueAt = scheduleDueAt(sendAtMs(a.send_at), a.delay_seconds, Date.now())
    if ((a.message === undefined) === (a.media === undefined)) throw new AppError('INVALID_INPUT', 'Give exactly one of message (text) or media (send_media arguments).', { argument: 'message' })
    const send = a.media ? mediaSchedule(a.media, a.reply_to) : textSchedule(a.message!, a.reply_to)
    // a scheduled message is approved when it is scheduled (and paced when it fires)
    const args = await approved(ctx, send.operation, to, send.args)
    const { entry, deduplicated } = box.addOnce({ kind: 'scheduled', operation: send.operation, chatJid: to, args, dueAt, idempotencyKey: a.idempotency_key, principalId: principal.id })
    return { id: entry.id, status: entry.status, send_at: iso(entry.dueAt), deduplicated }
  }
})

function textSchedule(message: string, replyTo: string | undefined): ScheduledSend {
  return { operation: 'send_message', args: { message, ...(replyTo ? { reply_to: replyTo } : {}) } }
}

/** send_media's arguments, checked now (INVALID_INPUT naming the field) so a bad one is not stored to fail later */
function mediaSchedule(media: Record<string, unknown>, replyTo: string | undefined): ScheduledSend {
  const parsed = mediaArgs.safeParse({ ...(replyTo ? { reply_to: replyTo } : {}), ...media })
  if (!parsed.success) throw new AppError('INVALID_INPUT', `media: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(media)'}: ${i.message}`).join('; ')}`, { argument: 'media' })
  const m = parsed.data
  if ([m.media_path, m.media_url, m.media_content].filter((x) => x !== undefined && x !== '').length !== 1) throw new AppError('INVALID_INPUT', 'media: give exactly one of media_path, media_url or media_content.', { argument: 'media' })
  return { operation: 'send_media', args: m }
}

const CURSOR = /^(\d{1,15})~(ob_[A-Za-z0-9_-]{1,40})$/

export const listScheduled = defineTool({
  name: 'list_scheduled',
  toolset: 'send',
  description: 'Scheduled and pace-queued sends, by time.',
  input: { status: z.enum(OUTBOX_STATUSES).optional(), chat_jid: jidInput('JID').optional(), limit: limitInput(50, 200), cursor: cursorInput },
  output: { entries: z.array(entryShape), next_cursor: nextCursor },
  annotations: { title: 'List scheduled sends', ...READ_ONLY },
  async run(a, { services, chats }) {
    const chat = a.chat_jid ? chats.read(canonicalJid(services, a.chat_jid, chats)) : undefined
    let after: { dueAt: number; id: string } | undefined
    if (a.cursor) {
      const m = CURSOR.exec(Buffer.from(a.cursor, 'base64url').toString())
      if (!m) throw new AppError('CURSOR_INVALID', 'cursor: pass the next_cursor list_scheduled gave.')
      after = { dueAt: Number(m[1]), id: m[2]! }
    }
    const rows = outbox(services).list({ statuses: a.status ? [a.status] : undefined, chatJid: chat, chatWhere: chats.where('chat_jid'), after, limit: a.limit })
    const last = rows.at(-1)
    return { entries: rows.map(toScheduled), next_cursor: rows.length === a.limit && last ? Buffer.from(`${last.dueAt}~${last.id}`).toString('base64url') : null }
  }
})

export const cancelScheduled = defineTool({
  name: 'cancel_scheduled',
  toolset: 'send',
  description: 'Cancels a pending scheduled send; it never goes.',
  input: { id: z.string().min(1).max(64) },
  output: { id: z.string(), status: z.string() },
  annotations: { title: 'Cancel a scheduled send', readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async run(a, { services, chats }) {
    const box = outbox(services)
    const e = box.get(a.id)
    // one outside the caller's chats is as unknown as one that does not exist
    if (!e || !chats.sees(e.chatJid)) throw new AppError('SCHEDULED_NOT_FOUND', `No scheduled send ${a.id}.`, { id: a.id })
    const done = box.cancel(e.id)
    return { id: done.id, status: done.status }
  }
})

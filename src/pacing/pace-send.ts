// Pacing's one call in the send tools: asks services.pacing for a slot and then lets the send go (after a
// short wait and "typing…"), queues it into the outbox, or refuses it with RATE_LIMITED, by setting.
import { z } from 'zod'
import { AppError } from '../errors/app-error.js'
import type { ToolContext } from '../mcp/tool.js'
import { sleep, type Pacing } from './pacing.js'

/** the outbox as pacing uses it (the scheduler's src/outbox/outbox.ts) */
interface PacedOutbox {
  addOnce(entry: { kind: 'paced'; operation: 'send_message' | 'send_media'; chatJid: string; args: Record<string, unknown>; dueAt: number; idempotencyKey?: string; principalId: string }): { entry: { id: string; dueAt: number }; deduplicated: boolean }
}

/** what a queued send answers instead of the sent message */
export interface QueuedAnswer {
  success: true
  queued: boolean
  outbox_id: string
  send_at: string
  chat_jid: string
  idempotency_key: string | null
}

// no descriptions: tools/list is sent to the model on every turn; the README tells what a queued answer is
const queuedFields = {
  queued: z.boolean().optional(),
  outbox_id: z.string().optional(),
  send_at: z.string().optional()
}

/** a send tool's output shape with the queued answer beside the sent one (all but `success` optional) */
export function pacedOutput<S extends z.ZodRawShape>(sent: S) {
  const loose = Object.fromEntries(Object.entries(sent).map(([k, v]) => [k, k === 'success' ? v : (v as z.ZodType).optional()])) as { [K in keyof S]: K extends 'success' ? S[K] : z.ZodOptional<S[K]> }
  return { ...loose, ...queuedFields }
}

export interface PaceRequest {
  operation: string
  chatJid: string
  /** the tool's arguments, stored in the outbox for a queued send */
  args: Record<string, unknown>
  /** the text that "typing…" stands for */
  text?: string
  idempotencyKey?: string
}

const QUEUEABLE = new Set(['send_message', 'send_media'])

/**
 * Resolves with undefined when the send may go now (it has awaited the short wait and the typing), or with
 * the queued answer (queue mode, send_message and send_media). Throws RATE_LIMITED with `retry_after`
 * (seconds) in refuse mode, and for sends the outbox cannot take.
 */
export async function pace(ctx: Pick<ToolContext, 'services' | 'signal' | 'principal'>, req: PaceRequest): Promise<QueuedAnswer | undefined> {
  const pacing = (ctx.services as { pacing?: Pacing }).pacing
  if (!pacing?.enabled()) return undefined
  // a retry of a send made under its key is answered from its record: nothing goes, nothing to pace
  if (req.idempotencyKey && ctx.services.sends.has(req.idempotencyKey)) return undefined
  const outbox = (ctx.services as { outbox?: PacedOutbox }).outbox
  const queueable = QUEUEABLE.has(req.operation) && !!outbox
  const typing = pacing.typingMs(req.text ?? '')
  const now = Date.now()
  // asked for the moment typing would end, so the slot is the moment the message itself goes
  const at = pacing.slot(req.chatJid, now + typing, { wait: true, queueable })
  if (at - now - typing <= pacing.maxWaitMs()) {
    // the wait first, then "typing…", so the message follows the typing at its slot
    await sleep(at - typing - Date.now(), ctx.signal)
    await pacing.type(req.chatJid, typing, ctx.signal)
    // a call the client cancelled while it waited sends nothing
    ctx.signal?.throwIfAborted()
    return undefined
  }
  if (pacing.mode() === 'queue' && queueable) {
    const { recipient_jid: _recipient, ...args } = req.args
    const { entry, deduplicated } = outbox!.addOnce({ kind: 'paced', operation: req.operation as 'send_message' | 'send_media', chatJid: req.chatJid, args, dueAt: at, idempotencyKey: req.idempotencyKey, principalId: ctx.principal.id })
    // queued already under this key: the first entry keeps its slot, this one gives its own back
    if (deduplicated) pacing.release(req.chatJid, at)
    return { success: true, queued: true as boolean, outbox_id: entry.id, send_at: new Date(entry.dueAt).toISOString(), chat_jid: req.chatJid, idempotency_key: req.idempotencyKey ?? null }
  }
  const retryAfter = Math.max(1, Math.ceil((at - now) / 1000))
  throw new AppError('RATE_LIMITED', `Over the pacing limit (${pacing.lastHeldBy() ?? 'pace'}) for this chat or account; retry in ${retryAfter} s.`, { retry_after: retryAfter, limit: pacing.lastHeldBy(), send_at: new Date(at).toISOString() })
}

/**
 * The outbox's executor with "typing…" first, for a send pacing let go when its time came (queued or
 * scheduled): the same typing a direct send shows. The send keeps its gap: pacing counts it from its answer.
 */
export function withTyping<E extends { chatJid: string; operation: string; args: Record<string, unknown> }, R>(pacing: Pacing, execute: (e: E) => Promise<R>): (e: E) => Promise<R> {
  return async (e) => {
    const text = e.operation === 'send_message' ? e.args.message : e.args.caption
    await pacing.type(e.chatJid, pacing.typingMs(typeof text === 'string' ? text : ''))
    return execute(e)
  }
}

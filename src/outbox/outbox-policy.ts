// What the outbox does with an entry whose time has come, when a failed send is tried again, and which
// times a schedule may name. Pure: no clock, no SQLite, no WhatsApp; the outbox (outbox.ts) brings them.
import { AppError } from '../errors/app-error.js'
import { ERROR_CODES, isErrorCode } from '../errors/codes.js'
import type { OutboxEntry } from './outbox-types.js'

/** a time this far in the past still sends now: the agent's clock and ours, and the call's own time */
export const PAST_GRACE_MS = 60_000
/** no schedule further ahead than this: a year and a day covers "same day next year" */
export const MAX_AHEAD_MS = 366 * 86_400_000
/** tries of a send that fails with a retryable error before the entry is failed */
export const MAX_ATTEMPTS = 8
/** the first retry's wait; doubled each attempt up to RETRY_MAX_MS */
export const RETRY_BASE_MS = 2_000
export const RETRY_MAX_MS = 2 * 60_000

export type DueDecision = { action: 'send' } | { action: 'missed'; lateMs: number } | { action: 'later'; dueAt: number }

/**
 * The fate of a due entry at `now`. Missed: its send never started (`started`: a message id was reserved
 * for it, so it may have gone out, and it is finished with that id instead) and its time is more than
 * `missedAfterMs` ago (0 = never missed). Later: the pacing slot (asked only when the entry is not missed,
 * since asking reserves it) is after now.
 */
export function decideDue(e: Pick<OutboxEntry, 'dueAt'>, now: number, missedAfterMs: number, started: boolean, slot: () => number | undefined): DueDecision {
  const late = now - e.dueAt
  if (!started && missedAfterMs > 0 && late > missedAfterMs) return { action: 'missed', lateMs: late }
  const at = slot()
  if (at !== undefined && at > now) return { action: 'later', dueAt: at }
  return { action: 'send' }
}

export type FailureDecision = { action: 'retry'; dueAt: number } | { action: 'wait_ready' } | { action: 'fail' }

/**
 * After a send threw `code`: WhatsApp not ready or not linked waits for it (not counted against the
 * entry); another retryable error retries with backoff until MAX_ATTEMPTS; anything else fails.
 */
export function decideFailure(code: string | undefined, attempts: number, now: number): FailureDecision {
  if (code === 'WA_NOT_READY' || code === 'WA_NOT_LINKED') return { action: 'wait_ready' }
  const retryable = code !== undefined && isErrorCode(code) ? ERROR_CODES[code].retryable : code === undefined
  if (!retryable || attempts >= MAX_ATTEMPTS) return { action: 'fail' }
  return { action: 'retry', dueAt: now + Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.max(0, attempts - 1)) }
}

/**
 * The due time of a schedule: `sendAt` (ms) or `delaySeconds` from now, exactly one of them. INVALID_INPUT
 * for neither or both, a time more than PAST_GRACE_MS ago, or one beyond MAX_AHEAD_MS; a time just past
 * (within the grace) goes now.
 */
export function scheduleDueAt(sendAt: number | undefined, delaySeconds: number | undefined, now: number): number {
  if ((sendAt === undefined) === (delaySeconds === undefined)) throw new AppError('INVALID_INPUT', 'Give exactly one of send_at (ISO 8601 with an offset) or delay_seconds.', { argument: 'send_at' })
  if (delaySeconds !== undefined) {
    if (!Number.isFinite(delaySeconds) || delaySeconds < 0) throw new AppError('INVALID_INPUT', 'delay_seconds must be 0 or more.', { argument: 'delay_seconds' })
    if (delaySeconds * 1000 > MAX_AHEAD_MS) throw new AppError('INVALID_INPUT', `delay_seconds: at most ${MAX_AHEAD_MS / 1000} (366 days).`, { argument: 'delay_seconds' })
    return now + Math.round(delaySeconds * 1000)
  }
  const at = sendAt!
  if (at < now - PAST_GRACE_MS) throw new AppError('INVALID_INPUT', `send_at ${new Date(at).toISOString()} is ${Math.round((now - at) / 1000)} s in the past; give a future time (now is ${new Date(now).toISOString()}).`, { argument: 'send_at', now })
  if (at > now + MAX_AHEAD_MS) throw new AppError('INVALID_INPUT', `send_at ${new Date(at).toISOString()} is more than 366 days ahead.`, { argument: 'send_at', now })
  return Math.max(at, now)
}

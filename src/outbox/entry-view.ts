// An outbox entry as the tools (list_scheduled) and /api/scheduled show it: times in ISO 8601, a short
// text of what it sends, and fields with nothing to say left out.
import type { OutboxEntry } from './outbox-types.js'

export interface ScheduledView {
  id: string
  kind: string
  status: string
  chat_jid: string
  /** when it goes (or went): the time asked for, moved by pacing or a retry */
  send_at: string
  /** the text, caption or file name, at most 200 characters */
  text?: string
  message_id?: string
  /** `CODE: message` of a failed or missed entry */
  error?: string
}

export function toScheduled(e: OutboxEntry): ScheduledView {
  const a = e.args as { message?: string; caption?: string; filename?: string; media_path?: string }
  const text = (a.message ?? a.caption ?? a.filename ?? a.media_path?.split('/').pop())?.slice(0, 200)
  return { id: e.id, kind: e.kind, status: e.status, chat_jid: e.chatJid, send_at: new Date(e.dueAt).toISOString(), ...(text ? { text } : {}), ...(e.messageId ? { message_id: e.messageId } : {}), ...(e.errorCode ? { error: `${e.errorCode}: ${e.errorMessage ?? ''}` } : {}) }
}

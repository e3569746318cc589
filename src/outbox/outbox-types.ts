// The outbox's entries: sends stored to go out later. `scheduled` ones a client asked for at a time;
// `paced` ones the pacing limits queued. Shared by the store, the outbox, the tools and the admin route.

export const OUTBOX_KINDS = ['scheduled', 'paced'] as const
export type OutboxKind = (typeof OUTBOX_KINDS)[number]

export const OUTBOX_OPERATIONS = ['send_message', 'send_media'] as const
export type OutboxOperation = (typeof OUTBOX_OPERATIONS)[number]

/**
 * pending: waits for its time (or for WhatsApp); sending: taken, its send running (or cut by a crash, then
 * resumed at start with the same message id); sent; cancelled: never goes; missed: its time passed longer
 * ago than `schedule_missed_after_s` before it could go (the server was down); failed: WhatsApp refused it.
 */
export const OUTBOX_STATUSES = ['pending', 'sending', 'sent', 'cancelled', 'missed', 'failed'] as const
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number]

/** what `services.outbox.add` takes */
export interface NewOutboxEntry {
  kind: OutboxKind
  operation: OutboxOperation
  /** the recipient, canonical, already judged by `chats.write` */
  chatJid: string
  /** the send tool's own arguments (recipient aside), as it would run them now */
  args: Record<string, unknown>
  /** ms since the epoch */
  dueAt: number
  /** the caller's key: adding again with it gives the same entry, not a second one */
  idempotencyKey?: string
  /** who asked (Principal.id) */
  principalId: string
}

export interface OutboxEntry {
  /** `ob_` and 16 random characters */
  id: string
  kind: OutboxKind
  operation: OutboxOperation
  chatJid: string
  args: Record<string, unknown>
  /** when it goes: the time asked for, moved later by pacing or by a retry */
  dueAt: number
  /** the time first asked for */
  requestedAt: number
  status: OutboxStatus
  idempotencyKey: string | null
  principalId: string
  createdAt: number
  updatedAt: number
  /** sends tried (a send resumed after a crash counts again) */
  attempts: number
  /** `chat_jid:id` once sent */
  messageId: string | null
  sentAt: number | null
  /** the error code of a failed or missed entry */
  errorCode: string | null
  errorMessage: string | null
}

/** what one send of an entry reports */
export interface OutboxSendResult {
  /** `chat_jid:id` */
  messageId: string
}

/** runs one entry's send; throws an AppError when it fails (retryable ones are tried again later) */
export type OutboxExecutor = (entry: OutboxEntry) => Promise<OutboxSendResult>

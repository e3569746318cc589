// The audit trail as the rest of the server sees it: the dispatcher's observer (one record per audited
// tools/call) and the entry point for records that are not tool calls (approval requests and decisions).
// Policy lives in audit-policy.ts, storage in audit-log.ts.
import type { ObservedCall, ToolCallObserver } from '../mcp/call-observer.js'
import { eventEntry, isAudited, toolEntry } from './audit-policy.js'
import type { AuditLog } from './audit-log.js'

/** the kinds of records that are not tool calls; the approvals work adds its records here */
export type AuditEventKind = 'approval.requested' | 'approval.decided'
  // scheduler: what became of a stored send when its time came (the schedule itself is a tool call)
  | 'outbox.sent' | 'outbox.failed' | 'outbox.missed'

/** who a non-tool record is about: the principal that asked, or the admin who decided */
export interface AuditActor {
  name: string
  kind?: string
}

export class AuditTrail implements ToolCallObserver {
  /**
   * @param log where records go
   * @param keepBodies read at each record (the `audit_bodies` runtime setting): whether message texts are kept
   * @param canonical the chat's JID as the store names it (a phone number or a LID becomes the chat's JID), so a filter by chat finds every call
   */
  constructor(readonly log: AuditLog, private readonly keepBodies: () => boolean, private readonly canonical: (chat: string) => string | undefined = () => undefined) {}

  /** a call that changes data (not annotated read-only) is committed before this returns; a read within AUDIT_FLUSH_MS */
  observes(tool: string): boolean {
    return isAudited(tool)
  }

  toolCalled(call: ObservedCall): void {
    if (!isAudited(call.tool)) return
    const entry = toolEntry(call, this.keepBodies())
    entry.chats = [...new Set(entry.chats.map((c) => this.chatOf(c)))]
    this.log.append(entry, !call.readOnly)
  }

  private chatOf(chat: string): string {
    try {
      return this.canonical(chat) ?? chat
    } catch {
      return chat
    }
  }

  /** records an event that is not a tool call, durable before this returns; `details` are elided as arguments are */
  recordEvent(kind: AuditEventKind, actor: AuditActor, details: Record<string, unknown>, at = Date.now()): void {
    this.log.append(eventEntry(kind, actor, details, at, this.keepBodies()), true)
  }
}

// The approval gate's contract, shared by everything that asks for a person's approval or gives one: the
// send and action tools (through `gate`), the admin API and UI, and the owner's own WhatsApp chat (through
// `decide`). Types only, so any part can import it without pulling the store or the clock in.
import type { EventEmitter } from 'node:events'
import type { ToolContext } from '../mcp/tool.js'

/** where a request stands; only `pending` may change, and only once */
export const APPROVAL_STATUSES = ['pending', 'approved', 'rejected', 'expired'] as const
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number]

/** who decided: the MCP client in-band (elicitation, input_required), the admin UI or API, the owner's chat */
export const DECIDERS = ['client', 'admin', 'owner_chat'] as const
export type Decider = (typeof DECIDERS)[number]

/** the message as it will look in the chat, for the person who decides */
export interface ApprovalPreview {
  text?: string
  caption?: string
  media?: { kind: string; fileName?: string; mimetype?: string }
  /** one line for any action: "Send a message to Ada", "Delete a message in Family" */
  summary: string
}

/** one call waiting for (or past) a decision */
export interface ApprovalRequest {
  id: string
  /** 4-6 upper-case letters and digits, unambiguous to read and type back ("reply 1 K7QF to send") */
  code: string
  /** the tool name: send_message, delete_message, update_group, ... */
  operation: string
  chatJid: string
  /** the chat's name as the store knows it, when it does */
  chatName?: string
  preview: ApprovalPreview
  /** the call's arguments as the tool got them (a media payload's bytes left out) */
  args: Record<string, unknown>
  /** who asked: the principal's id and label (credential name, "static token") */
  principal: { id: string; label: string }
  status: ApprovalStatus
  /** ms since the epoch */
  requestedAt: number
  expiresAt: number
  decidedAt?: number
  decidedBy?: Decider
  note?: string
  /** set when the approval came with edited arguments (edit-then-approve) */
  editedArgs?: Record<string, unknown>
}

/** what a tool hands the gate before it changes WhatsApp */
export interface OutgoingAction {
  operation: string
  chatJid: string
  args: Record<string, unknown>
  preview: ApprovalRequest['preview']
}

/** a decision: the first one for a request wins */
export interface ApprovalDecision {
  approve: boolean
  /** shown to the agent with APPROVAL_REJECTED; kept in the audit trail */
  note?: string
  /** edit-then-approve: fields that replace the call's own (`message`, `caption`); only with approve */
  args?: Record<string, unknown>
  by: Decider
}

/** the events of `services.approvals` */
export interface ApprovalEvents {
  requested: [req: ApprovalRequest]
  decided: [req: ApprovalRequest]
}

/**
 * `services.approvals`. `gate` resolves with the (maybe edited) arguments once approved, or at once when
 * no approval is needed; it throws APPROVAL_REJECTED (with the note) or APPROVAL_TIMEOUT. `decide` is
 * false when the request is unknown or already decided (the first decision wins).
 */
export interface ApprovalGate extends EventEmitter<ApprovalEvents> {
  gate(ctx: ToolContext, action: OutgoingAction): Promise<Record<string, unknown>>
  decide(id: string, decision: ApprovalDecision): boolean
  /** a request by id or by its short code (case ignored) */
  get(idOrCode: string): ApprovalRequest | undefined
  /** pending requests first (oldest first), then the most recent decided ones */
  list(limit?: number): ApprovalRequest[]
}

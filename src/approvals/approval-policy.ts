// Which calls wait for a person: a pure function of the tool, the global setting, the credential's own
// setting and the chat's policy, plus what the person is shown and may change. No I/O, no clock.
import { createHash, randomInt } from 'node:crypto'
import type { ChatPolicy } from '../access/chat-policy.js'
import type { ApprovalPreview } from './approval-types.js'

/** how much needs approval: nothing, sends, or sends and the other actions that change WhatsApp */
export const APPROVAL_LEVELS = ['none', 'sends', 'actions'] as const
export type ApprovalLevel = (typeof APPROVAL_LEVELS)[number]
/** the global runtime setting's spelling (`approval_required`): off instead of none */
export const APPROVAL_SETTINGS = ['off', 'sends', 'actions'] as const
export type ApprovalSetting = (typeof APPROVAL_SETTINGS)[number]

/** tools that put something new in front of the chat's members: a message, media, a forward, a reaction, a vote */
export const SEND_TOOLS: ReadonlySet<string> = new Set(['send_message', 'send_media', 'forward_message', 'send_location', 'send_contact', 'send_poll', 'send_reaction', 'vote_poll'])

/**
 * The other tools that change WhatsApp as others see it or cannot be undone: message edits and deletes,
 * group changes, the chat's archive/pin/mute/clear, blocks and the profile. Left out on purpose: mark_read
 * and send_presence (receipts and typing, fleeting), logout (it asks its own confirmation), force_resync
 * and stage_media (nothing changes on WhatsApp), and the reads.
 */
export const ACTION_TOOLS: ReadonlySet<string> = new Set([
  'edit_message', 'delete_message', 'create_group', 'update_group_participants', 'update_group', 'get_group_invite_link', 'join_group', 'leave_group',
  'group_join_requests', 'update_chat', 'block_contact', 'unblock_contact', 'update_profile'
])

/** the kind of a tool for the gate: a send, another action, or nothing the gate looks at */
export function operationKind(operation: string): 'send' | 'action' | undefined {
  if (SEND_TOOLS.has(operation)) return 'send'
  if (ACTION_TOOLS.has(operation)) return 'action'
  return undefined
}

const RANK: Record<ApprovalLevel, number> = { none: 0, sends: 1, actions: 2 }

export interface PolicyFacts {
  operation: string
  /** the runtime setting approval_required */
  global: ApprovalSetting
  /** the credential's own `approval`; the static token and OAuth grants have none */
  credential?: ApprovalLevel
  /** the chat's policy; `approval` puts every send and action on that chat before a person */
  chatPolicy?: ChatPolicy
}

/** the strictest of the three levels; the chat policy `approval` counts as `actions` for its chat */
export function effectiveLevel(f: Omit<PolicyFacts, 'operation'>): ApprovalLevel {
  const levels: ApprovalLevel[] = [f.global === 'off' ? 'none' : f.global, f.credential ?? 'none', f.chatPolicy === 'approval' ? 'actions' : 'none']
  return levels.reduce((a, b) => (RANK[b] > RANK[a] ? b : a), 'none')
}

/** whether this call waits for a person's decision */
export function needsApproval(f: PolicyFacts): boolean {
  const kind = operationKind(f.operation)
  if (!kind) return false
  const level = effectiveLevel(f)
  return kind === 'send' ? level !== 'none' : level === 'actions'
}

/** the arguments a person may rewrite before approving, per tool: texts only, never the recipient */
export const EDITABLE: Readonly<Record<string, readonly string[]>> = {
  send_message: ['message'],
  send_media: ['caption'],
  edit_message: ['text']
}

/** the edits of an edit-then-approve, checked: only editable fields, non-empty strings; a message naming what is wrong otherwise */
export function checkEdits(operation: string, edits: Record<string, unknown>): string | undefined {
  const allowed = EDITABLE[operation] ?? []
  for (const [k, v] of Object.entries(edits)) {
    if (!allowed.includes(k)) return allowed.length ? `args: only ${allowed.join(', ')} may be edited for ${operation}` : `args: nothing may be edited for ${operation}`
    if (typeof v !== 'string' || !v.length || v.length > 65536) return `args.${k}: a non-empty string of at most 65536 characters`
  }
  return undefined
}

// no 0/O or 1/I: a code read off a phone screen and typed back
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'
export const CODE_LENGTH = 5

/** a short human code for a request (5 of 32 signs: 33 million) */
export function newCode(): string {
  let c = ''
  for (let i = 0; i < CODE_LENGTH; i++) c += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]
  return c
}

/**
 * What stays the same when a 2026 call is run again with its answers: who asks, the tool, the chat and the
 * arguments. The re-run finds its request by it, so it never makes a second one.
 */
export function callKey(principalId: string, operation: string, chatJid: string, args: Record<string, unknown>): string {
  return createHash('sha256').update(JSON.stringify([principalId, operation, chatJid, args])).digest('base64url')
}

/** the arguments as kept and shown: a base64 payload is replaced by its length */
export function keptArgs(args: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(args)) out[k] = (k === 'media_content' || k === 'picture_content') && typeof v === 'string' ? `(${v.length} characters of base64)` : v
  return out
}

const TITLES: Record<string, string> = {
  send_message: 'Send a message', send_media: 'Send media', forward_message: 'Forward a message', send_location: 'Send a location', send_contact: 'Send a contact card',
  send_poll: 'Send a poll', send_reaction: 'React to a message', vote_poll: 'Vote in a poll', edit_message: 'Edit a message', delete_message: 'Delete a message',
  create_group: 'Create a group', update_group_participants: 'Change group members', update_group: 'Change group settings', get_group_invite_link: 'Revoke the group invite link',
  join_group: 'Join a group', leave_group: 'Leave a group', group_join_requests: 'Answer group join requests', update_chat: 'Change the chat', block_contact: 'Block a contact',
  unblock_contact: 'Unblock a contact', update_profile: 'Change the profile'
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length ? v : undefined)

/** the message as it will look, from a tool's arguments: its text or caption, the media's name, a summary line */
export function previewOf(operation: string, args: Record<string, unknown>, chatName: string): ApprovalPreview {
  const title = TITLES[operation] ?? operation
  const p: ApprovalPreview = { summary: chatName ? `${title} · ${chatName}` : title }
  const text = str(args.message) ?? str(args.text) ?? str(args.question) ?? str(args.emoji)
  if (text) p.text = text
  if (operation === 'send_media') {
    const cap = str(args.caption)
    if (cap) p.caption = cap
    const from = str(args.filename) ?? str(args.media_path)?.split('/').pop() ?? str(args.media_url)?.split('?')[0]?.split('/').pop()
    p.media = { kind: args.as_audio_message === true ? 'voice' : 'file', ...(from ? { fileName: from } : {}), ...(str(args.mime_type) ? { mimetype: str(args.mime_type) } : {}) }
  }
  return p
}

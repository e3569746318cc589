// What the owner's own WhatsApp chat says and understands, as pure functions: the prompt for a request
// waiting for approval, the owner's answer read from a message they wrote there ("1", "2 K7QF because ..."),
// and the answers the chat gives back. No I/O: owner-chat.ts feeds these the store's rows and the gate.
import type { ApprovalRequest } from './approval-types.js'
import { operationKind } from './approval-policy.js'

/** the longest note a rejection keeps: the agent reads it in APPROVAL_REJECTED, the audit trail keeps it */
export const MAX_NOTE_CHARS = 1000
/** how much of the message the prompt shows: WhatsApp folds longer texts behind "Read more" anyway */
export const PROMPT_TEXT_CHARS = 1500

/** what a message in the owner's chat means */
export type OwnerReply =
  /** an answer: approve ("1") or reject ("2"), naming the request by its code or not, a rejection's note */
  | { kind: 'decision'; approve: boolean; code?: string; note?: string }
  /** starts like an answer but is none ("1 ok", "1 K7QF K8QF"): the chat explains the forms */
  | { kind: 'unclear' }

/**
 * A code as people type it back: 4-6 letters and digits, written in capitals as the prompt shows it or with
 * a digit in it. A lower-case word ("2 later") is the start of a note, unless the caller knows it as a code.
 */
export function looksLikeCode(token: string): boolean {
  return /^[A-Za-z0-9]{4,6}$/.test(token) && (/[0-9]/.test(token) || token === token.toUpperCase())
}

/**
 * Reads one message the owner wrote in their own chat. `undefined`: not an answer at all (a note to self,
 * "12 eggs", "1st call"), left alone. Accepted: "1", "2", "1 CODE", "2 CODE", "2 CODE because ...", "2 because ...",
 * a keycap emoji for the digit, full-width digits, "#CODE", trailing punctuation. `isCode` tells a code from
 * the first word of a note; by default its shape does (looksLikeCode).
 */
export function parseOwnerReply(text: string, isCode: (token: string) => boolean = looksLikeCode): OwnerReply | undefined {
  // NFKC turns full-width digits into ASCII; a keycap ("1️⃣") is the digit with U+FE0F U+20E3 after it
  const norm = text.normalize('NFKC').replace(/([12])\uFE0F?\u20E3/gu, '$1').trim()
  const m = /^([12])(?![0-9A-Za-z])(.*)$/su.exec(norm)
  if (!m) return undefined
  const approve = m[1] === '1'
  let rest = m[2]!.replace(/^[\s.,:;!)-]+/u, '')
  let code: string | undefined
  const c = /^#?([A-Za-z0-9]{4,6})(?![A-Za-z0-9])(.*)$/su.exec(rest)
  if (c && isCode(c[1]!)) {
    code = c[1]!.toUpperCase()
    rest = c[2]!.replace(/^[\s.,:;!-]+/u, '')
  } else if (/^#/u.test(rest)) return { kind: 'unclear' }
  rest = rest.trim()
  if (approve) return rest.replace(/[.!\s]+/gu, '') === '' ? { kind: 'decision', approve, ...(code ? { code } : {}) } : { kind: 'unclear' }
  const note = rest.slice(0, MAX_NOTE_CHARS).trim()
  return { kind: 'decision', approve, ...(code ? { code } : {}), ...(note ? { note } : {}) }
}

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s
}

/** the prompt for one request: whom it goes to, the message as it will go, the code, how to answer */
export function promptText(req: ApprovalRequest): string {
  const p = req.preview
  const lines = [`Approval needed (${req.code}): ${p.summary}`]
  lines.push(`Chat: ${req.chatName ? `${req.chatName} (${req.chatJid})` : req.chatJid}`)
  if (p.media) lines.push(`Media: ${p.media.kind}${p.media.fileName ? ` ${p.media.fileName}` : ''}${p.media.mimetype ? ` (${p.media.mimetype})` : ''}`)
  if (p.text) lines.push('', clip(p.text, PROMPT_TEXT_CHARS))
  if (p.caption) lines.push('', `Caption: ${clip(p.caption, PROMPT_TEXT_CHARS)}`)
  // an action (a delete, a group change) is not "sent": the answer asks to go ahead with it
  const yes = operationKind(req.operation) === 'action' ? 'go ahead' : 'send'
  lines.push('', `Reply 1 to ${yes}, 2 to drop (or "1 ${req.code}", "2 ${req.code} because ..."). Asked by ${req.principal.label}; expires ${new Date(req.expiresAt).toISOString().slice(11, 16)} UTC.`)
  return lines.join('\n')
}

const DONE: Record<Exclude<ApprovalRequest['status'], 'pending'>, string> = { approved: 'approved', rejected: 'dropped', expired: 'expired' }
const BY: Record<string, string> = { client: 'by the agent\'s client', admin: 'in the admin UI', owner_chat: 'here' }

/** the chat's answer once the owner's decision was taken */
export function decidedText(req: ApprovalRequest): string {
  const what = req.status === 'approved' ? (operationKind(req.operation) === 'action' ? 'Approved: it is done now.' : 'Approved: it goes out now.') : `Dropped${req.note ? ` (note: ${clip(req.note, 200)})` : ''}.`
  return `${req.code}: ${what}`
}

/** the chat's answer when the request named was decided before (or ran out of time) */
export function alreadyText(req: ApprovalRequest): string {
  if (req.status === 'pending') return `${req.code} is still waiting.`
  const by = req.status === 'expired' ? '' : req.decidedBy ? ` ${BY[req.decidedBy] ?? `by ${req.decidedBy}`}` : ''
  return `${req.code} was already ${DONE[req.status]}${by}; nothing changed.`
}

export function unknownCodeText(code: string): string {
  return `No request ${code} is known. Reply 1 or 2 with the code from the prompt.`
}

/** a bare answer while several requests wait: which codes to choose from */
export function whichText(pending: readonly ApprovalRequest[]): string {
  const list = pending.slice(0, 10).map((r) => `${r.code}: ${clip(r.preview.summary, 80)}`)
  return [`${pending.length} requests are waiting; reply with the code, e.g. "1 ${pending[0]!.code}":`, ...list].join('\n')
}

export const NOTHING_PENDING_TEXT = 'No request is waiting for approval.'
export const UNCLEAR_TEXT = 'Not understood. Reply 1 to send or 2 to drop, with the code when several wait ("1 K7QF", "2 K7QF because ...").'
export const CONFLICT_TEXT = 'That quotes one prompt and names another code; reply with one of them.'

// /api/approvals: the approval queue for the admin UI and scripts (pending requests, oldest first, then
// the recent decisions) and the decision on one (approve, edit then approve, reject with a note). Behind
// the admin guard like every /api route (the caller passes its `authed`) and the front's same-origin rule.
// Live changes reach the admin page on its /api/events stream (approvalEvents below).
import type { TemplatedApp } from '../uws.js'
import type { Handler } from '../router.js'
import { sendJson } from '../respond.js'
import { readBody, parseJsonObject } from '../read-body.js'
import type { Services } from '../../app/services.js'
import { AppError } from '../../errors/app-error.js'
import type { ApprovalRequest } from '../../approvals/approval-types.js'
import type { Approvals } from '../../approvals/approvals.js'

type Authed = (h: Handler, opts?: { params?: number }) => ReturnType<typeof import('../router.js').wrap>

const BODY_MAX = 256 * 1024
/** decided requests the list shows below the pending ones */
const RECENT = 50

function gate(s: Services): Approvals {
  if (!s.approvals) throw new AppError('SHUTTING_DOWN', 'Approvals are not running.')
  return s.approvals
}

/** a request as the API shows it (snake_case, as every /api answer) */
export function approvalJson(r: ApprovalRequest): Record<string, unknown> {
  const m = r.preview.media
  return {
    id: r.id,
    code: r.code,
    operation: r.operation,
    chat_jid: r.chatJid,
    chat_name: r.chatName ?? null,
    preview: { summary: r.preview.summary, text: r.preview.text ?? null, caption: r.preview.caption ?? null, media: m ? { kind: m.kind, file_name: m.fileName ?? null, mimetype: m.mimetype ?? null } : null },
    args: r.args,
    principal: r.principal,
    status: r.status,
    requested_at: r.requestedAt,
    expires_at: r.expiresAt,
    decided_at: r.decidedAt ?? null,
    decided_by: r.decidedBy ?? null,
    note: r.note ?? null,
    edited_args: r.editedArgs ?? null
  }
}

/** the decision body: {"approve": boolean, "note"?: string, "args"?: {field: text}}; INVALID_INPUT naming what is wrong */
function decisionOf(b: Record<string, unknown>): { approve: boolean; note?: string; args?: Record<string, unknown> } {
  if (typeof b.approve !== 'boolean') throw new AppError('INVALID_INPUT', 'approve: true or false.')
  if (b.note !== undefined && (typeof b.note !== 'string' || b.note.length > 1000)) throw new AppError('INVALID_INPUT', 'note: a text of at most 1000 characters.')
  if (b.args !== undefined && (typeof b.args !== 'object' || b.args === null || Array.isArray(b.args))) throw new AppError('INVALID_INPUT', 'args: an object of the fields to change ({"message": "..."}).')
  if (b.args !== undefined && !b.approve) throw new AppError('INVALID_INPUT', 'args: edits come only with approve: true.')
  const extra = Object.keys(b).filter((k) => !['approve', 'note', 'args'].includes(k))
  if (extra.length) throw new AppError('INVALID_INPUT', `Unknown fields: ${extra.join(', ')} (accepted: approve, note, args).`)
  return { approve: b.approve, ...(typeof b.note === 'string' ? { note: b.note } : {}), ...(b.args ? { args: b.args as Record<string, unknown> } : {}) }
}

export function registerApprovalsApi(app: TemplatedApp, s: Services, authed: Authed): void {
  app.get('/api/approvals', authed((_r, res, st) => {
    const g = gate(s)
    sendJson(res, st, 200, { approvals: g.list(RECENT).map(approvalJson), pending: g.pending })
  }))
  app.post('/api/approvals/:id', authed((r, res, st) => {
    const id = r.params[0]!
    const body = readBody(res, st, BODY_MAX)
    return (async () => {
      const d = decisionOf(parseJsonObject(await body, 'The body must be a JSON object: {"approve", "note", "args"}.'))
      const g = gate(s)
      const before = g.get(id)
      if (!before || before.id !== id) throw new AppError('APPROVAL_NOT_FOUND', `No approval request ${id}.`)
      if (!g.decide(id, { ...d, by: 'admin' })) throw new AppError('APPROVAL_DECIDED', `The request ${before.code} is ${g.get(id)?.status ?? before.status} already.`, { approval: approvalJson(g.get(id) ?? before) })
      sendJson(res, st, 200, { approval: approvalJson(g.get(id)!) })
    })()
  }, { params: 1 }))
}

/**
 * Pushes each new and each decided request to `push` (an SSE event `approval` on /api/events) until the
 * returned function is called.
 */
export function approvalEvents(s: Services, push: (event: string, data: unknown) => void): () => void {
  const g = s.approvals
  if (!g) return () => undefined
  const on = (r: ApprovalRequest): void => push('approval', { approval: approvalJson(r), pending: g.pending })
  g.on('requested', on)
  g.on('decided', on)
  return () => {
    g.off('requested', on)
    g.off('decided', on)
  }
}

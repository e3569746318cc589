// Asking the MCP client's own user: the elicitation a waiting call sends (elicitation/create in 2025, an
// input_required request in 2026) and how its answer reads as a decision. Pure.
import type { ApprovalDecision, ApprovalRequest } from './approval-types.js'
import { EDITABLE } from './approval-policy.js'

/** the elicitation/create params for a request: a yes/no, a note, and the text to edit where there is one */
export function elicitation(req: ApprovalRequest): Record<string, unknown> {
  const p = req.preview
  const shown = [p.summary, p.text ? `"${p.text}"` : '', p.caption ? `caption: "${p.caption}"` : '', p.media?.fileName ? `file: ${p.media.fileName}` : ''].filter(Boolean).join('\n')
  const field = EDITABLE[req.operation]?.[0]
  const current = field ? req.args[field] : undefined
  return {
    message: `Approve this? (request ${req.code})\n${shown}`,
    requestedSchema: {
      type: 'object',
      properties: {
        approve: { type: 'boolean', title: 'Approve', description: 'true to go ahead, false to reject', default: true },
        note: { type: 'string', title: 'Note', description: 'why it is rejected (the agent reads it)' },
        ...(field && typeof current === 'string' ? { [field]: { type: 'string', title: 'Text to send', default: current } } : {})
      },
      required: ['approve']
    }
  }
}

/** the client's answer as a decision; undefined when the user dismissed it (cancel): the other ways stay open */
export function clientDecision(answer: Record<string, unknown> | undefined, req: ApprovalRequest): ApprovalDecision | undefined {
  const action = answer?.action
  const content = (typeof answer?.content === 'object' && answer.content !== null ? answer.content : {}) as Record<string, unknown>
  const note = typeof content.note === 'string' && content.note.trim() ? content.note.trim() : undefined
  if (action === 'decline') return { approve: false, note: note ?? 'Declined by the user of the MCP client.', by: 'client' }
  if (action !== 'accept') return undefined
  if (content.approve === false) return { approve: false, ...(note ? { note } : {}), by: 'client' }
  const field = EDITABLE[req.operation]?.[0]
  const edited = field && typeof content[field] === 'string' && content[field] !== '' && content[field] !== req.args[field] ? { [field]: content[field] } : undefined
  return { approve: true, ...(note ? { note } : {}), ...(edited ? { args: edited } : {}), by: 'client' }
}

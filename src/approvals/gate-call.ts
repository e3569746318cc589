// The one call a tool makes before it changes WhatsApp: `approved(ctx, tool, chat, args)` hands back the
// arguments to go on with (edited by the person, maybe) once the call may go ahead, and throws
// APPROVAL_REJECTED or APPROVAL_TIMEOUT otherwise. Tools call it after the chat checks and before the send
// guard, so a refused call never reaches WhatsApp and a rejected one never takes an idempotency key.
import { AppError } from '../errors/app-error.js'
import type { ToolContext } from '../mcp/tool.js'
import { needsApproval, previewOf } from './approval-policy.js'

/**
 * The arguments to use. `chatJid` is the chat the call acts on ('' for account-wide actions such as
 * create_group or update_profile: then only the global and credential settings count). Without a gate
 * running (a server built without one), a call that needs approval is refused with APPROVAL_REQUIRED
 * rather than let through.
 */
export async function approved<T extends object>(ctx: ToolContext, operation: string, chatJid: string, args: T): Promise<T> {
  const s = ctx.services
  const gate = s.approvals
  const plain = args as Record<string, unknown>
  if (!gate) {
    const facts = { operation, global: s.settings.current().approval_required, credential: ctx.principal.approval, chatPolicy: chatJid ? s.access?.policies.get(chatJid) : undefined }
    if (needsApproval(facts)) throw new AppError('APPROVAL_REQUIRED', `The ${operation} needs a person's approval and no approval gate runs here; nothing was sent.`, { chat_jid: chatJid })
    return args
  }
  if (!gate.needs(ctx.principal, { operation, chatJid })) return args
  const name = chatJid ? (s.chats.get(chatJid)?.name ?? chatJid.split('@')[0]!) : ''
  return (await gate.gate(ctx, { operation, chatJid, args: plain, preview: previewOf(operation, plain, name) })) as T
}

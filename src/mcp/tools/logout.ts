import { z } from 'zod'
import { defineTool } from '../tool.js'
import { compat } from '../catalog-schema.js'
import { AppError } from '../../errors/app-error.js'
import type { InputRequest } from '../input.js'

const CONFIRM: InputRequest = {
  method: 'elicitation/create',
  params: {
    message: 'Unlink this server from WhatsApp? Stored chats and messages stay; linking again needs the phone to scan a new QR code.',
    requestedSchema: { type: 'object', properties: { unlink: { type: 'boolean', title: 'Unlink from WhatsApp' } }, required: ['unlink'] }
  }
}

export const logout = defineTool({
  name: 'logout',
  toolset: 'account',
  description: 'Unlinks WhatsApp (asks to confirm where the client can). Clears only the link: stored chats and messages stay; a new QR follows. Not linked: already_logged_out.',
  input: { idempotency_key: compat(z.string().min(1).max(200).optional()) },
  output: { logged_out: z.boolean(), already_logged_out: z.boolean(), message: z.string() },
  annotations: { title: 'Log out of WhatsApp', readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  async run(_args, ctx) {
    const { services } = ctx
    const st = services.wa.getStatus()
    if (!st.linked) return { logged_out: true, already_logged_out: true, message: 'Not linked: nothing to log out.' }
    // a client that can ask its user does so before the link goes; one that cannot keeps the old contract
    if (ctx.clientCan('elicitation/create')) {
      const { confirm } = await ctx.input({ confirm: CONFIRM })
      if (confirm?.action !== 'accept' || (confirm.content as { unlink?: unknown } | undefined)?.unlink !== true) return { logged_out: false, already_logged_out: false, message: 'Not logged out: the user did not confirm.' }
    }
    try {
      await services.wa.call('logout')
    } catch (err) {
      if (err instanceof AppError) throw err
      throw new AppError('WA_QUERY_FAILED', `Logout failed: ${(err as Error).message}`)
    }
    return { logged_out: true, already_logged_out: false, message: 'Logged out. The message store is kept; scan the new QR code to link again.' }
  }
})

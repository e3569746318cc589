import { z } from 'zod'
import { defineTool } from '../tool.js'
import { AppError } from '../../errors/app-error.js'

export const logout = defineTool({
  name: 'logout',
  description: 'Unlinks this server from WhatsApp. Clears only the link (creds and keys): every stored chat and message stays. A new QR code follows. Idempotent: logging out when not linked reports already_logged_out.',
  input: { idempotency_key: z.string().min(1).max(200).optional().describe('accepted for compatibility; logout is idempotent by itself') },
  output: { logged_out: z.boolean(), already_logged_out: z.boolean(), message: z.string() },
  annotations: { title: 'Log out of WhatsApp', readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  async run(_args, { services }) {
    const st = services.wa.getStatus()
    if (!st.linked) return { logged_out: true, already_logged_out: true, message: 'Not linked: nothing to log out.' }
    try {
      await services.wa.call('logout')
    } catch (err) {
      if (err instanceof AppError) throw err
      throw new AppError('WA_QUERY_FAILED', `Logout failed: ${(err as Error).message}`)
    }
    return { logged_out: true, already_logged_out: false, message: 'Logged out. The message store is kept; scan the new QR code to link again.' }
  }
})

// The account's link and connection state as tools and /api/status report it.
import { z } from 'zod'
import type { Services } from '../app/services.js'

export const authStatusShape = {
  linked: z.boolean(),
  ready: z.boolean(),
  state: z.string().describe('starting, connecting, awaiting-qr, linking, syncing, open, reconnecting, logged-out, replaced, stopped'),
  me: z.object({ jid: z.string(), lid: z.string().optional(), name: z.string().optional() }).optional(),
  last_disconnect: z.object({ code: z.number().optional(), reason: z.string(), at: z.number() }).optional(),
  worker_restarts: z.number(),
  last_recovery: z.object({ at: z.number(), action: z.string(), reason: z.string() }).nullable(),
  message: z.string()
}

export function authStatus(s: Services) {
  const st = s.wa.getStatus()
  const ready = st.state === 'open'
  const message = ready
    ? 'Linked and connected: ready.'
    : !st.linked
      ? st.state === 'awaiting-qr'
        ? 'Not linked: scan the QR code (get_qr_code or the admin page) with WhatsApp on the phone.'
        : `Not linked yet (${st.state}).`
      : st.state === 'replaced'
        ? 'Another WhatsApp Web/Desktop session took over this link (replaced); not reconnecting. Restart WhatsApp from the admin page to take it back.'
        : `Linked, but not connected right now (${st.state}); it reconnects by itself.`
  return {
    linked: st.linked,
    ready,
    state: st.state,
    ...(st.me ? { me: { jid: st.me.jid, ...(st.me.lid ? { lid: st.me.lid } : {}), ...(st.me.name ? { name: st.me.name } : {}) } } : {}),
    ...(st.lastDisconnect ? { last_disconnect: { ...(st.lastDisconnect.code !== undefined ? { code: st.lastDisconnect.code } : {}), reason: st.lastDisconnect.reason, at: st.lastDisconnect.at } } : {}),
    worker_restarts: st.restarts,
    last_recovery: ((s.recovery?.snapshot().last_recovery ?? null) as { at: number; action: string; reason: string } | null),
    message
  }
}

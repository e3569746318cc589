// Who a send goes to. A phone number with no chat here may not be on WhatsApp at all: WhatsApp would take
// the message and nobody would ever get it, so such a number is asked about first (usync) and refused with
// WA_NOT_ON_WHATSAPP rather than reported sent to a phantom chat.
import { AppError } from '../errors/app-error.js'
import type { Services } from '../app/services.js'

/** waits for WhatsApp (WA_SEND_READY_WAIT_MS), then makes sure a new 1:1 recipient exists there */
export async function readyToSend(s: Services, to: string): Promise<void> {
  await s.wa.waitReady(s.config.WA_SEND_READY_WAIT_MS)
  if (!to.endsWith('@s.whatsapp.net') || s.chats.get(to)) return
  const number = to.split('@')[0]!
  const [r] = await s.wa.call('onWhatsApp', [number])
  if (!r?.exists) throw new AppError('WA_NOT_ON_WHATSAPP', `+${number} is not on WhatsApp; nothing was sent.`)
}

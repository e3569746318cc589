import { z } from 'zod'
import QRCode from 'qrcode'
import { defineTool, READ_ONLY } from '../tool.js'
import { AppError } from '../../errors/app-error.js'

export const getQrCode = defineTool({
  name: 'get_qr_code',
  toolset: 'account',
  description: 'The QR code to link WhatsApp (Linked devices > Link a device), as PNG and text; it rotates about every 20 s.',
  input: {},
  output: { qr: z.string().describe('the QR payload'), issued_at: z.number(), state: z.string() },
  annotations: { title: 'Get the QR code to link WhatsApp', ...READ_ONLY },
  async run(_args, { services }) {
    const st = services.wa.getStatus()
    if (st.linked && st.state !== 'logged-out') throw new AppError('WA_ALREADY_LINKED')
    if (!st.qr) throw new AppError('WA_QR_UNAVAILABLE', `No QR code yet (${st.state}); retry in a few seconds.`)
    return { qr: st.qr.value, issued_at: st.qr.issuedAt, state: st.state }
  },
  async render(result) {
    const png = await QRCode.toBuffer(result.qr, { type: 'png', margin: 2, scale: 6 })
    return [{ type: 'image', data: png.toString('base64'), mimeType: 'image/png' }]
  }
})

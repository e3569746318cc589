import { z } from 'zod'
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { defineTool } from '../tool.js'
import { parseMessageId } from '../schemas.js'
import { AppError } from '../../errors/app-error.js'
import { mediaRelPath } from '../../media/media-paths.js'

const INLINE_MAX = 8 * 1024 * 1024

export const downloadMedia = defineTool({
  name: 'download_media',
  toolset: 'read',
  description: 'Downloads the media of a stored message (works after restarts: the raw message is kept) into MEDIA_DIR and returns where it is. Expired media is re-requested from the phone first. include_full_data also returns the bytes (images as image content, up to 8 MB).',
  input: { message_id: z.string().trim().min(1).max(300), include_full_data: z.boolean().default(false), save_to_disk: z.boolean().default(true).describe('accepted for compatibility; the file is always kept in MEDIA_DIR') },
  output: { message_id: z.string(), path: z.string(), url: z.string(), size: z.number(), mimetype: z.string().nullable(), filename: z.string().nullable(), reuploaded: z.boolean(), cached: z.boolean(), data: z.string().optional().describe('base64, with include_full_data') },
  annotations: { title: 'Download media', readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  async run(a, { services, chats }) {
    const { chatJid: givenChat, id } = parseMessageId(services, a.message_id)
    if (givenChat) chats.read(givenChat)
    const msg = services.messages.get(id, givenChat)
    if (!msg || !chats.sees(msg.chat_jid)) throw new AppError('MESSAGE_NOT_FOUND', `No message ${a.message_id}.`)
    if (!msg.media) throw new AppError('MEDIA_NOT_FOUND', 'That message has no media.')
    const mimetype = (msg.media.mimetype as string | undefined)?.split(';')[0] ?? null
    const filename = (msg.media.fileName as string | undefined) ?? null
    const rel = mediaRelPath(msg.chat_jid, id, msg.media)
    const target = join(services.config.MEDIA_DIR, rel)
    let size: number
    let reuploaded = false
    let cached = false
    try {
      size = (await stat(target)).size
      cached = true
    } catch {
      await services.wa.waitReady(services.config.WA_SEND_READY_WAIT_MS)
      const r = await services.wa.write('downloadMedia', { chatJid: msg.chat_jid, messageId: id, targetPath: target })
      size = r.size
      reuploaded = r.reuploaded
    }
    const out = { message_id: `${msg.chat_jid}:${id}`, path: target, url: services.mediaLinks.url(rel), size, mimetype, filename, reuploaded, cached }
    if (a.include_full_data) {
      if (size > INLINE_MAX) throw new AppError('MEDIA_TOO_LARGE', `The file is ${size} bytes; include_full_data returns at most ${INLINE_MAX}. Read it from the path or URL.`)
      return { ...out, data: (await readFile(target)).toString('base64') }
    }
    return out
  },
  render(r) {
    return r.data && r.mimetype?.startsWith('image/') ? [{ type: 'image', data: r.data, mimeType: r.mimetype }] : []
  }
})

import { z } from 'zod'
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { defineTool, type ContentBlock } from '../tool.js'
import { compat } from '../catalog-schema.js'
import { messageIdInput, parseMessageId } from '../schemas.js'
import { AppError } from '../../errors/app-error.js'
import { mediaRelPath } from '../../media/media-paths.js'

const INLINE_MAX = 8 * 1024 * 1024

/** which content block carries the bytes: the ones a client can show or play, else an embedded resource */
const blockKind = (mimetype: string | null): 'image' | 'audio' | 'resource' => (mimetype?.startsWith('image/') ? 'image' : mimetype?.startsWith('audio/') ? 'audio' : 'resource')

export const downloadMedia = defineTool({
  name: 'download_media',
  toolset: 'read',
  description: 'Stores the media of a message in MEDIA_DIR (expired media is asked from the phone again) and returns its path and URL. include_full_data adds the bytes once, as an image, audio or resource block (up to 8 MB).',
  input: { message_id: messageIdInput, include_full_data: z.boolean().default(false), save_to_disk: compat(z.boolean().default(true)) },
  output: { message_id: z.string(), path: z.string(), url: z.string(), size: z.number(), mimetype: z.string().nullable(), filename: z.string().nullable(), reuploaded: z.boolean(), cached: z.boolean(), data_block: z.enum(['image', 'audio', 'resource']).optional().describe('with include_full_data: the content block holding the bytes') },
  annotations: { title: 'Download media', readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  // the bytes go in one content block, never also in the JSON text and structuredContent (three copies of
  // an 8 MB file were 32 MB of base64 for the model and the wire)
  async call(a, { services, chats }) {
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
    const url = services.mediaLinks.url(rel)
    const out: Record<string, unknown> = { message_id: `${msg.chat_jid}:${id}`, path: target, url, size, mimetype, filename, reuploaded, cached }
    const blocks: ContentBlock[] = []
    if (a.include_full_data) {
      if (size > INLINE_MAX) throw new AppError('MEDIA_TOO_LARGE', `The file is ${size} bytes; include_full_data returns at most ${INLINE_MAX}. Read it from the path or URL.`)
      const data = (await readFile(target)).toString('base64')
      const kind = blockKind(mimetype)
      out.data_block = kind
      const mimeType = mimetype ?? 'application/octet-stream'
      blocks.push(kind === 'resource' ? { type: 'resource', resource: { uri: url, mimeType, blob: data } } : { type: kind, data, mimeType })
    }
    return { content: [{ type: 'text', text: JSON.stringify(out) }, ...blocks], structuredContent: out }
  }
})

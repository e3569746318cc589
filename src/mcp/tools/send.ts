import { z } from 'zod'
import { defineTool } from '../tool.js'
import { compat } from '../catalog-schema.js'
import { canonicalJid, jidInput } from '../schemas.js'
import { stageMedia } from '../../media/stage-media.js'
import { AppError } from '../../errors/app-error.js'
import type { Services } from '../../app/services.js'
import { mediaSend, textSend } from '../../outbox/send-ops.js'
import { pace, pacedOutput } from '../../pacing/pace-send.js'
import { approved } from '../../approvals/gate-call.js'

const SEND = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true } as const
const idempotencyKey = z.string().min(1).max(200).optional().describe('retrying with it never sends twice (24 h)')

const sentShape = {
  success: z.literal(true),
  message_id: z.string().describe('chat_jid:id'),
  chat_jid: z.string(),
  timestamp: z.number().describe('unix ms'),
  deduplicated: z.boolean().describe('not sent again: an identical send happened'),
  idempotency_key: z.string().nullable()
}

/** the canonical recipient of a send (within `scope`); broadcast lists and status are WA_JID_INVALID */
export function recipient(s: Services, input: string, scope?: { sees(jid: string): boolean }): string {
  const jid = canonicalJid(s, input, scope)
  if (jid.endsWith('@broadcast')) throw new AppError('WA_JID_INVALID', 'Sending to broadcast lists or status is not supported.')
  return jid
}

export const sendMessage = defineTool({
  name: 'send_message',
  toolset: 'send',
  description: 'Sends a text to a person or group. With idempotency_key a retry never sends twice; without, the same text to the same chat within the dedup window is not sent again (deduplicated: true).',
  input: {
    recipient_jid: jidInput(),
    message: z.string().min(1).max(65536),
    reply_to: z.string().max(300).optional().describe('message_id to quote'),
    mentions: z.array(z.string()).max(256).optional().describe('JIDs; write @number in the text'),
    idempotency_key: idempotencyKey
  },
  output: pacedOutput(sentShape),
  annotations: { title: 'Send a message', ...SEND },
  // a wait for a person's approval runs as a task for 2026 clients that poll (approvals/approvals.ts detaches)
  taskSupport: 'optional',
  detachesItself: true,
  async run(a, ctx) {
    const { services, chats } = ctx
    const to = chats.write(recipient(services, a.recipient_jid, chats))
    a = await approved(ctx, 'send_message', to, a)
    const queued = await pace(ctx, { operation: 'send_message', chatJid: to, args: a, text: a.message, idempotencyKey: a.idempotency_key })
    if (queued) return queued
    const op = textSend(services, to, a, chats)
    const { result, deduplicated } = await services.sends.run('send_message', op.print, a.idempotency_key, op.send)
    return { success: true as const, message_id: `${result.chatJid}:${result.id}`, chat_jid: result.chatJid, timestamp: result.timestamp, deduplicated, idempotency_key: a.idempotency_key ?? null }
  }
})

export const sendMedia = defineTool({
  name: 'send_media',
  toolset: 'send',
  description: 'Sends an image, video, audio, voice note (as_audio_message) or document: one of media_path (in MEDIA_DIR or MEDIA_ROOTS), media_url or media_content (base64 or data: URL). The type comes from the bytes; image/webp is a sticker.',
  input: {
    recipient_jid: jidInput(),
    media_path: z.string().max(1000).optional(),
    media_url: z.string().max(4000).optional(),
    media_content: z.string().optional().describe('base64 or a data: URL'),
    mime_type: z.string().max(200).optional(),
    filename: z.string().max(255).optional(),
    caption: z.string().max(4096).optional(),
    as_audio_message: z.boolean().default(false).describe('send audio as a voice note'),
    reply_to: z.string().max(300).optional(),
    idempotency_key: idempotencyKey,
    include_full_data: compat(z.boolean().default(false))
  },
  output: pacedOutput({ ...sentShape, kind: z.string(), mimetype: z.string(), size: z.number(), file_name: z.string() }),
  annotations: { title: 'Send media', ...SEND },
  // a wait for a person's approval runs as a task for 2026 clients that poll (approvals/approvals.ts detaches)
  taskSupport: 'optional',
  detachesItself: true,
  async run(a, ctx) {
    const { services, chats } = ctx
    const to = chats.write(recipient(services, a.recipient_jid, chats))
    a = await approved(ctx, 'send_media', to, a)
    const queued = await pace(ctx, { operation: 'send_media', chatJid: to, args: a, text: a.caption, idempotencyKey: a.idempotency_key })
    if (queued) return queued
    const op = mediaSend(services, to, a)
    const { result, deduplicated } = await services.sends.run('send_media', op.print, a.idempotency_key, op.send)
    return {
      success: true as const,
      message_id: `${result.chatJid}:${result.id}`,
      chat_jid: result.chatJid,
      timestamp: result.timestamp,
      deduplicated,
      idempotency_key: a.idempotency_key ?? null,
      kind: result.kind,
      mimetype: result.mimetype,
      size: result.size,
      file_name: result.fileName
    }
  }
})

export const stageMediaTool = defineTool({
  name: 'stage_media',
  toolset: 'send',
  description: 'Saves media from a URL or base64 into MEDIA_DIR without sending; returns its path (for send_media) and URL.',
  input: { media_url: z.string().max(4000).optional(), media_content: z.string().optional(), mime_type: z.string().max(200).optional(), filename: z.string().max(255).optional() },
  output: { success: z.literal(true), saved_path: z.string(), filename: z.string(), url: z.string(), size: z.number(), mimetype: z.string() },
  annotations: { title: 'Stage media', readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async run(a, { services }) {
    const { config } = services
    const staged = await stageMedia(a, { mediaDir: config.MEDIA_DIR, roots: [], maxBytes: services.settings.current().upload_max_mb * 1024 * 1024, fetchTimeoutMs: config.MEDIA_FETCH_TIMEOUT_MS, allowPrivateUrls: config.MEDIA_URL_ALLOW_PRIVATE })
    const rel = staged.path.slice(config.MEDIA_DIR.length + 1)
    return { success: true as const, saved_path: staged.path, filename: staged.fileName, url: services.mediaLinks.url(rel), size: staged.size, mimetype: staged.mimetype }
  }
})

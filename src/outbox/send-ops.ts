// The send executor the send tools and the outbox share: given a send's arguments and its recipient, the
// fingerprint the SendGuard compares and the send itself for a given WhatsApp message id (text, or media:
// staged, a voice note converted, then sent). The tools run it now; the outbox runs it when an entry is due.
import { rm } from 'node:fs/promises'
import { canonicalJid } from '../mcp/schemas.js'
import { readyToSend } from '../mcp/recipient.js'
import { fingerprint } from '../wa/send-guard.js'
import { stageMedia } from '../media/stage-media.js'
import { isOpusOgg, toVoiceNote } from '../media/voice-note.js'
import type { Services } from '../app/services.js'
import type { OutgoingMediaKind, SendResult } from '../wa/worker-api.js'
import { sendKeyOf } from './outbox.js'
import type { OutboxExecutor } from './outbox-types.js'

/** send_message's arguments, the recipient aside */
export interface TextSendArgs {
  message: string
  /** a message_id (chat_jid:id) or a bare id to quote */
  reply_to?: string
  /** JIDs, numbers or names; resolved when the send is built */
  mentions?: string[]
}

/** send_media's arguments, the recipient aside */
export interface MediaSendArgs {
  media_path?: string
  media_url?: string
  media_content?: string
  mime_type?: string
  filename?: string
  caption?: string
  as_audio_message?: boolean
  reply_to?: string
}

export type MediaSent = SendResult & { kind: OutgoingMediaKind; mimetype: string; size: number; fileName: string }

/** one send, ready to run under the SendGuard: `print` names its content, `send` makes it with a message id */
export interface SendOp<T> {
  print: string
  send(messageId: string): Promise<T>
}

function kindOf(mime: string, asVoice: boolean): OutgoingMediaKind {
  if (asVoice) return 'voice'
  if (mime === 'image/webp') return 'sticker'
  if (mime.startsWith('image/')) return 'image'
  if (mime.startsWith('video/')) return 'video'
  if (mime.startsWith('audio/')) return 'audio'
  return 'document'
}

/** a text send to `to`; mentions resolve now (within `scope` when given), so a bad one fails before anything goes */
export function textSend(s: Services, to: string, a: TextSendArgs, scope?: { sees(jid: string): boolean }): SendOp<SendResult> {
  const quotedId = a.reply_to ? (a.reply_to.includes(':') && a.reply_to.includes('@') ? a.reply_to.slice(a.reply_to.indexOf(':', a.reply_to.lastIndexOf('@')) + 1) : a.reply_to) : undefined
  const mentions = a.mentions?.map((m) => canonicalJid(s, m, scope))
  return {
    print: fingerprint(to, a.message, quotedId ?? null, mentions ?? null),
    async send(messageId) {
      await readyToSend(s, to)
      return s.wa.write('sendText', { to, text: a.message, quotedMessageId: quotedId, mentions, messageId })
    }
  }
}

/** a media send to `to`: the bytes are staged when it runs (a URL is fetched then), and staged copies removed after */
export function mediaSend(s: Services, to: string, a: MediaSendArgs): SendOp<MediaSent> {
  const { config } = s
  const asVoice = a.as_audio_message ?? false
  return {
    print: fingerprint(to, a.media_path ?? null, a.media_url ?? null, a.media_content ? fingerprint(a.media_content) : null, a.mime_type ?? null, a.filename ?? null, a.caption ?? null, asVoice, a.reply_to ?? null),
    async send(messageId) {
      await readyToSend(s, to)
      const staged = await stageMedia(a, { mediaDir: config.MEDIA_DIR, roots: config.MEDIA_ROOTS, maxBytes: s.settings.current().upload_max_mb * 1024 * 1024, fetchTimeoutMs: config.MEDIA_FETCH_TIMEOUT_MS, allowPrivateUrls: config.MEDIA_URL_ALLOW_PRIVATE })
      const kind = kindOf(staged.mimetype, asVoice)
      let path = staged.path
      const cleanup: string[] = staged.created ? [staged.path] : []
      try {
        if (kind === 'voice' && !(await isOpusOgg(staged.path))) {
          path = await toVoiceNote(staged.path, config.FFMPEG_PATH, staged.created ? undefined : `${config.MEDIA_DIR}/staged`)
          cleanup.push(path)
        }
        const quotedId = a.reply_to?.split(':').at(-1)
        const sent = await s.wa.write('sendMedia', { to, kind, path, mimetype: kind === 'voice' ? 'audio/ogg; codecs=opus' : staged.mimetype, fileName: staged.fileName, caption: a.caption, quotedMessageId: quotedId, messageId })
        return { ...sent, kind, mimetype: staged.mimetype, size: staged.size, fileName: staged.fileName }
      } finally {
        await Promise.all(cleanup.map((p) => rm(p, { force: true })))
      }
    }
  }
}

/**
 * The outbox's executor: an entry's send through the SendGuard under a key made from its id, so a retry
 * after a crash carries the first attempt's message id and a finished one is answered from its record.
 */
export function outboxExecutor(s: Services): OutboxExecutor {
  return async (e) => {
    const op = e.operation === 'send_media' ? mediaSend(s, e.chatJid, e.args as MediaSendArgs) : textSend(s, e.chatJid, e.args as unknown as TextSendArgs)
    const { result } = await s.sends.run<SendResult>(e.operation, op.print, sendKeyOf(e.id), op.send)
    return { messageId: `${result.chatJid}:${result.id}` }
  }
}

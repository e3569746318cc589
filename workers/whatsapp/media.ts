// Media downloads: the file is streamed to a temporary path and renamed into place; media that expired on
// WhatsApp's servers is asked of the phone again (a re-upload request) and fetched once more.
import { createWriteStream } from 'node:fs'
import { mkdir, rename, stat } from 'node:fs/promises'
import { pipeline } from 'node:stream/promises'
import { join } from 'node:path'
import type { Logger } from 'pino'
import { downloadMediaMessage, type WAMessage } from '@whiskeysockets/baileys'
import { AppError } from '../../src/errors/app-error.js'
import type { DownloadMediaRequest, DownloadMediaResult } from '../../src/wa/worker-api.js'
import { statusCodeOf, type WaHost } from './host.js'
import { messageRecord } from './normalize.js'

/**
 * MESSAGE_NOT_FOUND when the message is not stored, MEDIA_FETCH_FAILED when the download fails, MEDIA_EXPIRED
 * when the media expired and the phone could not upload it again.
 */
export async function downloadMedia(host: WaHost, baileysLog: Logger, req: DownloadMediaRequest): Promise<DownloadMediaResult> {
  const sock = host.ready()
  let msg = host.rawMessage(req.chatJid, req.messageId)
  if (!msg) throw new AppError('MESSAGE_NOT_FOUND')
  await mkdir(join(req.targetPath, '..'), { recursive: true })
  const tmp = `${req.targetPath}.part`
  let reuploaded = false
  let seq: number | undefined
  const fetch = async (m: WAMessage) => {
    const stream = await downloadMediaMessage(m, 'stream', {}, { logger: baileysLog, reuploadRequest: sock.updateMediaMessage })
    await pipeline(stream, createWriteStream(tmp))
  }
  try {
    await fetch(msg)
  } catch (err) {
    const status = statusCodeOf(err)
    if (status !== 404 && status !== 410) throw new AppError('MEDIA_FETCH_FAILED', `Media download failed: ${(err as Error).message}`)
    // expired on the server: ask the phone to upload it again, then retry once
    try {
      msg = (await sock.updateMediaMessage(msg)) as WAMessage
      reuploaded = true
      const rec = messageRecord(msg, host.me(), false)
      if (rec) seq = host.store({ messageUpdates: [{ chatJid: rec.chatJid, id: rec.id, raw: rec.raw }] })
      await fetch(msg)
    } catch (e) {
      throw new AppError('MEDIA_EXPIRED', `The media expired and the phone could not upload it again: ${(e as Error).message}`)
    }
  }
  await rename(tmp, req.targetPath)
  const { size } = await stat(req.targetPath)
  const content = msg.message
  const m = content?.imageMessage ?? content?.videoMessage ?? content?.audioMessage ?? content?.documentMessage ?? content?.stickerMessage
  return { path: req.targetPath, size, mimetype: m?.mimetype ?? undefined, reuploaded, seq: seq ?? host.seq() }
}

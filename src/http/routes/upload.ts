// POST /api/upload (JSON base64) and /api/upload-multipart (streamed to disk by busboy, never buffered):
// files land in MEDIA_DIR/uploads for send_media media_path. Limits come from the live settings.
import { createWriteStream } from 'node:fs'
import { mkdirSync } from 'node:fs'
import { mkdir, rm, rename } from 'node:fs/promises'
import { join } from 'node:path'
import { createHash, timingSafeEqual } from 'node:crypto'
import busboy from 'busboy'
import type { TemplatedApp } from '../uws.js'
import { wrap, type RequestInfo } from '../router.js'
import { sendJson } from '../respond.js'
import { readBody, parseJsonObject, declaredLength } from '../read-body.js'
import type { AdminAuth } from '../admin-auth.js'
import type { HttpResponse } from '../uws.js'
import type { Services } from '../../app/services.js'
import { AppError } from '../../errors/app-error.js'
import { safeFileName } from '../../media/media-paths.js'
import { stageMedia } from '../../media/stage-media.js'

const same = (a: string, b: string): boolean => timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest())

interface Saved {
  filename: string
  original_filename: string
  mimetype: string
  size: number
  saved_path: string
  url: string
}

export function registerUpload(app: TemplatedApp, s: Services, admin: AdminAuth): void {
  mkdirSync(join(s.config.MEDIA_DIR, 'uploads'), { recursive: true })
  const check = (r: RequestInfo, res: HttpResponse): void => {
    const st = s.settings.current()
    if (!st.upload_enabled) throw new AppError('UPLOAD_DISABLED')
    if (st.require_upload_token) {
      const given = r.headers['x-upload-token'] ?? /^Bearer\s+(.+)$/i.exec(r.headers.authorization ?? '')?.[1] ?? ''
      if (!given || !same(given, st.upload_token)) throw new AppError('UPLOAD_TOKEN_INVALID')
    } else admin.check(r, res)
  }
  const urlOf = (path: string): string => s.mediaLinks.url(path.slice(s.config.MEDIA_DIR.length + 1))

  app.post('/api/upload', wrap((r, res, st) => {
    // judged from the headers before any body byte is read: a refused upload is never buffered
    check(r, res)
    const maxBytes = s.settings.current().upload_max_mb * 1024 * 1024
    // base64 is 4/3 of the bytes, plus the JSON around it
    const body = readBody(res, st, Math.ceil(maxBytes * 1.37) + 64 * 1024, declaredLength(r.headers['content-length']))
    body.catch(() => undefined)
    return (async () => {
      const parsed = parseJsonObject(await body, 'The body must be JSON: {"data": base64, "filename"?, "mime_type"?}.')
      if (typeof parsed.data !== 'string') throw new AppError('INVALID_INPUT', 'data must be a base64 string or a data: URL.')
      const staged = await stageMedia(
        { media_content: parsed.data, filename: typeof parsed.filename === 'string' ? parsed.filename : undefined, mime_type: typeof parsed.mime_type === 'string' ? parsed.mime_type : undefined },
        { mediaDir: s.config.MEDIA_DIR, roots: [], maxBytes, fetchTimeoutMs: s.config.MEDIA_FETCH_TIMEOUT_MS }
      )
      const dir = join(s.config.MEDIA_DIR, 'uploads')
      await mkdir(dir, { recursive: true })
      const final = join(dir, staged.path.split('/').at(-1)!)
      await rename(staged.path, final)
      const saved: Saved = { filename: final.split('/').at(-1)!, original_filename: staged.fileName, mimetype: staged.mimetype, size: staged.size, saved_path: final, url: urlOf(final) }
      sendJson(res, st, 201, saved)
    })()
  }, s.log))

  app.post('/api/upload-multipart', wrap((r, res, st) => {
    const settings = s.settings.current()
    const maxBytes = settings.upload_max_mb * 1024 * 1024
    const dir = join(s.config.MEDIA_DIR, 'uploads')
    let bb: busboy.Busboy
    try {
      check(r, res)
      bb = busboy({ headers: r.headers, limits: { fileSize: maxBytes, files: settings.max_files_per_upload, fields: 20, fieldSize: 64 * 1024 } })
    } catch (err) {
      // nothing is read: uWS discards the refused body
      throw err instanceof AppError ? err : new AppError('UNSUPPORTED_MEDIA_TYPE', 'Expected multipart/form-data.')
    }
    const saved: Saved[] = []
    const pending: Array<Promise<void>> = []
    let failure: AppError | undefined
    const cleanup = async (): Promise<void> => {
      await Promise.all(saved.map((f) => rm(f.saved_path, { force: true })))
    }
    const done = new Promise<void>((resolve) => {
      bb.on('file', (_field, stream, info) => {
        const name = safeFileName(info.filename, undefined)
        const path = join(dir, name)
        const entry: Saved = { filename: name, original_filename: info.filename ?? name, mimetype: info.mimeType, size: 0, saved_path: path, url: '' }
        saved.push(entry)
        // listeners go on synchronously: busboy emits 'limit' as soon as the bytes pass it
        const out = createWriteStream(path)
        pending.push(
          new Promise<void>((ok) => {
            stream.on('data', (c: Buffer) => (entry.size += c.length))
            stream.on('limit', () => (failure ??= new AppError('MEDIA_TOO_LARGE', `A file is larger than ${settings.upload_max_mb} MB.`)))
            // a body cut short (by us, over a limit, or by the client) ends the file with an error
            stream.on('error', () => {
              failure ??= new AppError('INVALID_INPUT', 'The upload ended early.')
              out.destroy()
              ok()
            })
            stream.pipe(out)
            out.on('close', ok)
            out.on('error', () => ok())
          })
        )
      })
      bb.on('filesLimit', () => (failure ??= new AppError('UPLOAD_TOO_MANY_FILES', `At most ${settings.max_files_per_upload} file(s) per upload.`)))
      bb.on('error', () => (failure ??= new AppError('INVALID_INPUT', 'Malformed multipart body.')))
      bb.on('close', resolve)
    })
    // the body streams into busboy as it arrives, paused while busboy is behind, so memory stays bounded
    let total = 0
    res.onData((chunk, isLast) => {
      total += chunk.byteLength
      if (total > maxBytes * settings.max_files_per_upload + 1024 * 1024) failure ??= new AppError('PAYLOAD_TOO_LARGE')
      if (!failure && !bb.write(Buffer.from(new Uint8Array(chunk))) && !isLast && !st.aborted) {
        res.pause()
        bb.once('drain', () => !st.aborted && res.resume())
      }
      if (isLast || failure) bb.end()
    })
    return (async () => {
      await done
      await Promise.all(pending)
      if (failure) {
        await cleanup()
        throw failure
      }
      if (!saved.length) throw new AppError('INVALID_INPUT', 'No file in the upload.')
      for (const f of saved) f.url = urlOf(f.saved_path)
      sendJson(res, st, 201, { file: saved[0], files: saved })
    })()
  }, s.log))
}

// Turns send_media / stage_media input (a path, a URL or base64) into a checked file inside MEDIA_DIR
// with a sniffed MIME type. URL downloads are streamed with a timeout and a size cap.
import { createWriteStream } from 'node:fs'
import { mkdir, rm, stat, writeFile, rename } from 'node:fs/promises'
import { join, basename, extname } from 'node:path'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { fileTypeFromFile } from 'file-type'
import { AppError } from '../errors/app-error.js'
import { allowedReadPath, safeFileName } from './media-paths.js'
import { assertFetchableUrl, guardedFetch, type GuardOptions } from './url-guard.js'

export interface StagedMedia {
  path: string
  fileName: string
  mimetype: string
  size: number
  /** true when the file was created by staging (and may be cleaned up) */
  created: boolean
}

export interface StageInput {
  media_path?: string
  media_url?: string
  media_content?: string
  mime_type?: string
  filename?: string
}

export interface StageOptions {
  mediaDir: string
  roots: readonly string[]
  maxBytes: number
  fetchTimeoutMs: number
  /** media_url may point at loopback or private addresses (off by default: SSRF) */
  allowPrivateUrls?: boolean
  /** test seams of the URL guard (its resolver, addresses it trusts as public) */
  urlGuard?: Pick<GuardOptions, 'resolve' | 'trustAsPublic'>
}

const EXT_MIME: Record<string, string> = {
  txt: 'text/plain', csv: 'text/csv', json: 'application/json', pdf: 'application/pdf', zip: 'application/zip', gz: 'application/gzip',
  doc: 'application/msword', docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ppt: 'application/vnd.ms-powerpoint', pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif', mp4: 'video/mp4', ogg: 'audio/ogg', mp3: 'audio/mpeg', m4a: 'audio/mp4'
}

async function sniff(path: string, declared: string | undefined, name: string): Promise<{ mime: string; ext: string | undefined }> {
  const ft = await fileTypeFromFile(path).catch(() => undefined)
  if (ft) return { mime: ft.mime, ext: ft.ext }
  const ext = extname(name).slice(1).toLowerCase() || undefined
  return { mime: declared ?? (ext ? EXT_MIME[ext] : undefined) ?? 'application/octet-stream', ext }
}

const tooLarge = (max: number) => new AppError('MEDIA_TOO_LARGE', `The media is larger than ${Math.round(max / 1024 / 1024)} MB.`, { maxBytes: max })

export async function stageMedia(input: StageInput, o: StageOptions): Promise<StagedMedia> {
  const given = [input.media_path, input.media_url, input.media_content].filter((x) => x !== undefined && x !== '').length
  if (given !== 1) throw new AppError('INVALID_INPUT', 'Give exactly one of media_path, media_url or media_content.')
  const dir = join(o.mediaDir, 'staged')
  await mkdir(dir, { recursive: true })

  if (input.media_path) {
    const path = await allowedReadPath(input.media_path, o.mediaDir, o.roots)
    const st = await stat(path)
    if (!st.isFile()) throw new AppError('MEDIA_NOT_FOUND', 'That media_path is not a file.')
    if (st.size > o.maxBytes) throw tooLarge(o.maxBytes)
    const name = input.filename ?? basename(path)
    const { mime } = await sniff(path, input.mime_type, name)
    return { path, fileName: name, mimetype: mime, size: st.size, created: false }
  }

  if (input.media_content !== undefined) {
    const m = /^data:([^;,]+)?(?:;[^,]*)?,(.*)$/s.exec(input.media_content)
    const b64 = (m ? m[2]! : input.media_content).replace(/\s+/g, '')
    if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(b64)) throw new AppError('INVALID_INPUT', 'media_content is not base64.')
    const bytes = Buffer.from(b64, 'base64')
    if (!bytes.length) throw new AppError('INVALID_INPUT', 'media_content is empty.')
    if (bytes.length > o.maxBytes) throw tooLarge(o.maxBytes)
    const tmp = join(dir, safeFileName(input.filename, undefined))
    await writeFile(tmp, bytes)
    const { mime, ext } = await sniff(tmp, input.mime_type ?? m?.[1], input.filename ?? '')
    const finalPath = join(dir, safeFileName(input.filename, ext ?? extname(input.filename ?? '').slice(1)))
    await rename(tmp, finalPath)
    return { path: finalPath, fileName: input.filename ?? basename(finalPath), mimetype: mime, size: bytes.length, created: true }
  }

  const guard = { allowPrivate: o.allowPrivateUrls ?? false, timeoutMs: o.fetchTimeoutMs, label: 'media_url', ...o.urlGuard }
  let url: URL
  try {
    url = new URL(input.media_url!)
  } catch {
    throw new AppError('INVALID_INPUT', 'media_url is not a URL.')
  }
  assertFetchableUrl(url, guard)
  let urlName: string
  try {
    urlName = decodeURIComponent(basename(url.pathname)) || 'download'
  } catch {
    // a malformed escape in the path is the server's business; the name just stays encoded
    urlName = basename(url.pathname)
  }
  const tmp = join(dir, safeFileName(input.filename ?? urlName, 'part'))
  // guardedFetch rejects with AppErrors only
  const res = await guardedFetch(url, guard)
  if (!res.ok || !res.body) {
    // an unread body would hold the socket open until the timeout
    await res.body?.cancel()
    throw new AppError('MEDIA_FETCH_FAILED', `Fetching the URL gave HTTP ${res.status}.`)
  }
  const declared = Number(res.headers.get('content-length') ?? 0)
  if (declared > o.maxBytes) {
    await res.body.cancel()
    throw tooLarge(o.maxBytes)
  }
  let size = 0
  const cap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      size += chunk.length
      cb(size > o.maxBytes ? tooLarge(o.maxBytes) : null, chunk)
    }
  })
  try {
    await pipeline(Readable.fromWeb(res.body as never), cap, createWriteStream(tmp))
  } catch (err) {
    await rm(tmp, { force: true })
    if (err instanceof AppError) throw err
    throw new AppError('MEDIA_FETCH_FAILED', `Downloading the URL failed: ${(err as Error).message}`)
  }
  const name = input.filename ?? urlName
  const headerMime = res.headers.get('content-type')?.split(';')[0]?.trim()
  const { mime, ext } = await sniff(tmp, input.mime_type ?? (headerMime && headerMime !== 'application/octet-stream' ? headerMime : undefined), name)
  const finalPath = join(dir, safeFileName(name, ext ?? extname(name).slice(1)))
  await rename(tmp, finalPath)
  return { path: finalPath, fileName: extname(name) || !ext ? name : `${name}.${ext}`, mimetype: mime, size, created: true }
}

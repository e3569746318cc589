// GET /media/*: files under MEDIA_DIR only (no traversal, no symlink escapes, no dot-files), with Range.
// With ADMIN_TOKEN set, only for the admin bearer, a signed-in session, or a signed link (?exp=&sig=), and
// decided before the file system is asked anything, so an outsider learns nothing about what exists.
import { realpath, stat } from 'node:fs/promises'
import { resolve, extname, basename } from 'node:path'
import type { Handler } from '../router.js'
import { sendFile } from '../send-file.js'
import { contentDisposition } from '../header-values.js'
import { AppError } from '../../errors/app-error.js'
import { isInside } from '../../media/media-paths.js'
import type { MediaLinks } from '../../media/media-link.js'
import type { AdminAuth } from '../admin-auth.js'

export interface MediaAccess {
  auth: AdminAuth
  links: MediaLinks
}

const TYPES: Record<string, string> = { jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif', mp4: 'video/mp4', ogg: 'audio/ogg', mp3: 'audio/mpeg', m4a: 'audio/mp4', pdf: 'application/pdf', txt: 'text/plain; charset=utf-8', zip: 'application/zip' }

export function mediaRoute(mediaDir: string, access?: MediaAccess): Handler {
  return async (r, res, st) => {
    let rel: string
    try {
      rel = decodeURIComponent(r.path.slice('/media/'.length))
    } catch {
      throw new AppError('INVALID_INPUT', 'Bad path encoding.')
    }
    if (access?.auth.enabled) {
      if (r.query.has('sig') || r.query.has('exp')) {
        const link = access.links.check(rel, r.query.get('exp'), r.query.get('sig'))
        if (link === 'expired') throw new AppError('MEDIA_LINK_EXPIRED')
        if (link !== 'ok') throw new AppError('MEDIA_LINK_INVALID')
      } else access.auth.check(r, res)
    }
    if (!rel || rel.includes('\0') || rel.split('/').some((p) => p.startsWith('.'))) throw new AppError('NOT_FOUND', 'No such media file.')
    const root = await realpath(mediaDir)
    let real: string
    try {
      real = await realpath(resolve(root, rel))
    } catch {
      throw new AppError('NOT_FOUND', 'No such media file.')
    }
    if (!isInside(real, root) || !(await stat(real)).isFile()) throw new AppError('NOT_FOUND', 'No such media file.')
    const size = (await stat(real)).size
    const m = /^bytes=(\d*)-(\d*)$/.exec(r.headers.range ?? '')
    let range: { start: number; end: number } | undefined
    if (m && (m[1] || m[2])) {
      const start = m[1] ? Number(m[1]) : Math.max(0, size - Number(m[2]))
      const end = m[1] && m[2] ? Number(m[2]) : size - 1
      if (start >= size || start > end) throw new AppError('INVALID_INPUT', 'Range not satisfiable.', { size })
      range = { start, end }
    }
    const type = TYPES[extname(real).slice(1).toLowerCase()] ?? 'application/octet-stream'
    await sendFile(res, st, real, {
      'content-type': type,
      'cache-control': 'private, max-age=3600',
      'x-content-type-options': 'nosniff',
      'content-disposition': contentDisposition(type.startsWith('image/') || type.startsWith('video/') || type.startsWith('audio/') ? 'inline' : 'attachment', basename(real))
    }, range)
  }
}

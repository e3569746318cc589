// Where media may be read from and written to. Every path from a caller is resolved and checked here.
import { resolve, relative, isAbsolute, basename, extname } from 'node:path'
import { realpath } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { AppError } from '../errors/app-error.js'

export function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child)
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))
}

/** a caller's path, allowed only inside MEDIA_DIR or one of MEDIA_ROOTS, after following symlinks */
export async function allowedReadPath(input: string, mediaDir: string, roots: readonly string[]): Promise<string> {
  const candidate = isAbsolute(input) ? resolve(input) : resolve(mediaDir, input)
  let real: string
  try {
    real = await realpath(candidate)
  } catch {
    throw new AppError('MEDIA_NOT_FOUND', `No file at ${input}.`)
  }
  const allowed = [mediaDir, ...roots]
  const realRoots = await Promise.all(allowed.map((r) => realpath(r).catch(() => resolve(r))))
  if (!realRoots.some((r) => isInside(real, r))) {
    throw new AppError('MEDIA_PATH_FORBIDDEN', 'The file must be inside MEDIA_DIR or one of MEDIA_ROOTS.', { roots: allowed })
  }
  return real
}

/** a safe file name: no directories, no control characters, a unique suffix, a sane extension */
export function safeFileName(name: string | undefined, ext: string | undefined): string {
  const base = basename(name ?? 'file').replace(/\.[^.]*$/, '').replace(/[^\p{L}\p{N}._-]+/gu, '_').replace(/^[._]+/, '').slice(0, 80) || 'file'
  const e = (ext ?? extname(name ?? '').slice(1)).replace(/[^a-z0-9]/gi, '').slice(0, 10).toLowerCase()
  return `${base}_${Date.now()}_${randomBytes(3).toString('hex')}${e ? `.${e}` : ''}`
}

const EXT: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp', 'video/mp4': 'mp4', 'audio/ogg': 'ogg', 'audio/mpeg': 'mp3', 'audio/mp4': 'm4a', 'application/pdf': 'pdf', 'text/plain': 'txt' }

/** where a message's media is kept under MEDIA_DIR: <chat>/<id>.<ext>, the same for every caller */
export function mediaRelPath(chatJid: string, id: string, media: { mimetype?: unknown; fileName?: unknown }): string {
  const mimetype = typeof media.mimetype === 'string' ? media.mimetype.split(';')[0]!.trim() : undefined
  const fileName = typeof media.fileName === 'string' ? media.fileName : undefined
  const ext = fileName?.includes('.') ? fileName.split('.').pop()!.replace(/[^a-z0-9]/gi, '').slice(0, 10) : (mimetype && EXT[mimetype]) || 'bin'
  return `${chatJid.replace(/[^0-9a-z@.-]/gi, '_')}/${id.replace(/[^0-9a-z]/gi, '_')}.${ext || 'bin'}`
}

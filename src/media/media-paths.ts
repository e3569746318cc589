// Where media may be read from and written to. Every path from a caller is resolved and checked here.
import { resolve, relative, isAbsolute, basename, extname, dirname, join } from 'node:path'
import { realpath, readlink } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { AppError } from '../errors/app-error.js'

export function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child)
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))
}

/** symlinks followed when judging a path that does not exist, as the kernel's own limit */
const MAX_LINK_HOPS = 40

/**
 * Where `p` leads: the real path of its deepest existing part with the missing parts joined on (a missing
 * name cannot be a symlink). A dangling symlink is followed to its target, so a link to a missing file
 * outside the roots is judged by where it points, not by where it sits.
 */
async function realTarget(p: string): Promise<{ real: string; exists: boolean }> {
  const rest: string[] = []
  let cur = p
  for (let hops = 0; ; ) {
    try {
      const real = await realpath(cur)
      return { real: rest.length ? join(real, ...[...rest].reverse()) : real, exists: rest.length === 0 }
    } catch {
      const link = hops < MAX_LINK_HOPS ? await readlink(cur).catch(() => undefined) : undefined
      if (link !== undefined) {
        hops++
        cur = resolve(dirname(cur), link)
        continue
      }
      const up = dirname(cur)
      if (up === cur) return { real: p, exists: false }
      rest.push(basename(cur))
      cur = up
    }
  }
}

/**
 * A caller's path, allowed only inside MEDIA_DIR or one of MEDIA_ROOTS, after following symlinks.
 * MEDIA_PATH_FORBIDDEN for any path that leads outside them, whether or not it exists, so the answer tells
 * nothing about the rest of the disk; MEDIA_NOT_FOUND only inside them. Messages carry no server path.
 */
export async function allowedReadPath(input: string, mediaDir: string, roots: readonly string[]): Promise<string> {
  const candidate = isAbsolute(input) ? resolve(input) : resolve(mediaDir, input)
  const { real, exists } = await realTarget(candidate)
  const realRoots = await Promise.all([mediaDir, ...roots].map((r) => realpath(r).catch(() => resolve(r))))
  if (!realRoots.some((r) => isInside(real, r))) throw new AppError('MEDIA_PATH_FORBIDDEN', 'The file must be inside MEDIA_DIR or one of MEDIA_ROOTS.')
  if (!exists) throw new AppError('MEDIA_NOT_FOUND', 'No such file inside MEDIA_DIR or MEDIA_ROOTS.')
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

// Voice notes must be Opus in OGG; anything else is converted with ffmpeg (a child process, off the loop).
import { spawn } from 'node:child_process'
import { open } from 'node:fs/promises'
import { join, dirname, basename } from 'node:path'
import { AppError } from '../errors/app-error.js'

/**
 * Whether the file is already Opus in OGG, as a voice note must be: its first OGG page carries the Opus
 * header. An OGG of another codec (Vorbis, FLAC) is `audio/ogg` too, and phones play it as no voice note.
 */
export async function isOpusOgg(path: string): Promise<boolean> {
  const f = await open(path, 'r')
  try {
    const head = Buffer.alloc(36)
    const { bytesRead } = await f.read(head, 0, 36, 0)
    // a first page of one segment: the 27-byte page header, the segment table, then the packet
    return bytesRead === 36 && head.subarray(0, 4).toString('latin1') === 'OggS' && head.subarray(28, 36).toString('latin1') === 'OpusHead'
  } finally {
    await f.close()
  }
}

/** Converts `input` into a new Opus-in-OGG file in `outDir` and returns its path; MEDIA_TRANSCODE_FAILED when ffmpeg is missing or fails. */
export function toVoiceNote(input: string, ffmpeg: string, outDir = dirname(input)): Promise<string> {
  const out = join(outDir, `${basename(input).replace(/\.[^.]*$/, '')}_${Date.now()}.ogg`)
  return new Promise((resolve, reject) => {
    const p = spawn(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', '-i', input, '-vn', '-c:a', 'libopus', '-b:a', '32k', '-ar', '24000', '-ac', '1', '-application', 'voip', out], { stdio: ['ignore', 'ignore', 'pipe'] })
    let err = ''
    p.stderr.on('data', (d: Buffer) => (err += d.toString()).length > 4000 && (err = err.slice(-4000)))
    p.on('error', (e) => reject(new AppError('MEDIA_TRANSCODE_FAILED', `ffmpeg could not start (${ffmpeg}): ${e.message}. Set FFMPEG_PATH.`)))
    p.on('close', (code) => (code === 0 ? resolve(out) : reject(new AppError('MEDIA_TRANSCODE_FAILED', `ffmpeg failed: ${err.trim().split('\n').at(-1) ?? code}`))))
  })
}

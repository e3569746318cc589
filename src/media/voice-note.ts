// Voice notes must be Opus in OGG; anything else is converted with ffmpeg (a child process, off the loop).
import { spawn } from 'node:child_process'
import { join, dirname, basename } from 'node:path'
import { AppError } from '../errors/app-error.js'

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

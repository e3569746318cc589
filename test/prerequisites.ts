/**
 * What the test suite needs from the machine besides Node and `npm ci`, found on the PATH (never at a
 * fixed path), and installed with apt-get when it is missing and this process may (root, Debian). Where it
 * may not, the suite stops before running anything, with one line saying what to install.
 *
 * The admin UI tests drive a real Chromium (`CHROMIUM_PATH` names another binary). Their screenshots want
 * an emoji font: installed along when installing anyway, never a reason to stop. The voice-note test needs
 * ffmpeg (`FFMPEG_PATH` names another binary) and the ffprobe beside it.
 */
import { accessSync, constants, existsSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { spawnSync } from 'node:child_process'

export interface Prerequisite {
  /** what the one-line message calls it */
  name: string
  /** the Debian package that provides it */
  debian: string
  /** a path when present, undefined when missing */
  find(env: NodeJS.ProcessEnv): string | undefined
  /** only test files whose path contains one of these need it; none: every run needs it */
  neededBy?: string[]
  /** nice to have: installed with the others, never a reason to stop */
  optional?: boolean
}

/** the first executable called one of `names` on env.PATH */
export function onPath(names: string[], env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const n of names) {
      const p = join(dir, n)
      try {
        accessSync(p, constants.X_OK)
        return p
      } catch {
        /* not here */
      }
    }
  }
  return undefined
}

const EMOJI_FONT = '/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf'

export const PREREQUISITES: Prerequisite[] = [
  { name: 'chromium', debian: 'chromium', neededBy: ['admin/'], find: (env) => (env.CHROMIUM_PATH && existsSync(env.CHROMIUM_PATH) ? env.CHROMIUM_PATH : onPath(['chromium', 'chromium-browser'], env)) },
  // the voice-note test converts with ffmpeg and checks the result with its ffprobe (one Debian package)
  { name: 'ffmpeg', debian: 'ffmpeg', neededBy: ['media/voice-note'], find: (env) => (env.FFMPEG_PATH && existsSync(env.FFMPEG_PATH) ? env.FFMPEG_PATH : onPath(['ffmpeg'], env)) },
  { name: 'an emoji font', debian: 'fonts-noto-color-emoji', neededBy: ['admin/'], optional: true, find: () => (existsSync(EMOJI_FONT) ? EMOJI_FONT : undefined) }
]

/** Pure: the prerequisites the selected test files need that are missing. */
export function missingFor(files: string[], env: NodeJS.ProcessEnv, list: Prerequisite[] = PREREQUISITES): Prerequisite[] {
  return list.filter((p) => (!p.neededBy || files.some((f) => p.neededBy!.some((n) => f.includes(n)))) && !p.find(env))
}

/** The one line a person who cannot install reads. */
export function installHint(missing: Prerequisite[]): string {
  const pkgs = missing.map((p) => p.debian).join(' ')
  return `npm test needs ${missing.map((p) => p.name).join(', ')}, missing on this machine: install them (Debian/Ubuntu: sudo apt-get install -y ${pkgs}) and run npm test again.`
}

/**
 * Makes sure the selected files' prerequisites are there: installs the missing ones as root with apt-get,
 * else returns the one-line hint. Returns undefined when all is in place.
 */
export function ensurePrerequisites(files: string[], env: NodeJS.ProcessEnv = process.env, log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): string | undefined {
  const all = missingFor(files, env)
  const missing = all.filter((p) => !p.optional)
  if (!missing.length) return undefined
  const canInstall = process.getuid?.() === 0 && !!onPath(['apt-get'], env) && env.TEST_NO_INSTALL !== '1'
  if (!canInstall) return installHint(missing)
  const pkgs = all.map((p) => p.debian)
  log(`installing test prerequisites with apt-get: ${pkgs.join(' ')}`)
  const aptEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive' }
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env: aptEnv })
  const install = update.status === 0 ? spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], { stdio: ['ignore', 'ignore', 'inherit'], env: aptEnv }) : update
  const still = missingFor(files, env).filter((p) => !p.optional)
  if (install.status !== 0 || still.length) return `apt-get could not install ${pkgs.join(' ')}. ${installHint(still.length ? still : missing)}`
  return undefined
}

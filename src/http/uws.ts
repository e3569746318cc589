// Picks the uWebSockets.js build that runs here. No single package has native binaries for every Node LTS
// on every libc: @btc-vision/uwebsockets.js covers Node 20, 22, 24 and 25 but needs glibc 2.38 (Debian 13),
// @trufflesuite/uws-js-unofficial covers Node 16, 18 and 20 on older glibc (Debian 12) and otherwise falls
// back, silently, to a JavaScript server that crashes on our first request. So each candidate's binary is
// loaded directly (never through a package's own fallback), in order, and the first that loads wins. With
// none, start-up refuses (UWS_NOT_AVAILABLE) unless UWS_ALLOW_FALLBACK=1 asks for our node:http adapter.
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type * as UWS from 'uWebSockets.js'
import { AppError } from '../errors/app-error.js'
import { nodeHttpUws } from './uws-node-fallback.js'

const require = createRequire(import.meta.url)

/** one place a native binary may come from; `binaryDir` is where its `.node` files are, from its main file's folder */
interface Candidate {
  pkg: string
  binaryDir: string
}

/** in order of preference: the maintained build first, the older one for Node 20 on older glibc */
export const UWS_CANDIDATES: readonly Candidate[] = [
  { pkg: '@btc-vision/uwebsockets.js', binaryDir: '.' },
  { pkg: 'uWebSockets.js', binaryDir: '../binaries' }
]

/** what runs, for the start-up log and for tests */
export interface UwsChoice {
  /** false only when UWS_ALLOW_FALLBACK=1 let the node:http adapter in */
  native: boolean
  /** the package and binary file that loaded, or `node:http fallback` */
  name: string
  /** why each candidate before the winner did not load, one short line each */
  skipped: string[]
}

const binaryName = (): string => `uws_${process.platform}_${process.arch}_${process.versions.modules}.node`

// A failed dlopen's message names the missing symbol version (GLIBC_2.38) or the missing file; the first
// line is the part an operator needs.
const firstLine = (err: unknown): string => String((err as Error)?.message ?? err).split('\n')[0]!.slice(0, 200)

function tryCandidate(c: Candidate): { uws: typeof UWS; name: string } | { reason: string } {
  let dir: string
  let version = ''
  try {
    // package.json may be hidden behind an exports map, so resolve the main file and take its folder
    dir = dirname(require.resolve(c.pkg))
    for (const d of [dir, dirname(dir)]) {
      try {
        version = (require(join(d, 'package.json')) as { version: string }).version
        break
      } catch {
        /* the name without a version is still useful */
      }
    }
  } catch {
    return { reason: `${c.pkg}: not installed` }
  }
  const file = join(dir, c.binaryDir, binaryName())
  const label = `${c.pkg}${version ? `@${version}` : ''} ${binaryName()}`
  try {
    return { uws: require(file) as typeof UWS, name: label }
  } catch (err) {
    return { reason: `${label}: ${firstLine(err)}` }
  }
}

const truthy = (v: string | undefined): boolean => v === '1' || v?.toLowerCase() === 'true'

/**
 * Chooses the uWS build for this process. `UWS_USE_FALLBACK=1` skips the native candidates (to exercise
 * the fallback on a machine that has one). Without a native binary it returns the node:http adapter when
 * `UWS_ALLOW_FALLBACK=1`, and otherwise a `uws` whose `App()` throws UWS_NOT_AVAILABLE naming what to do.
 */
export function chooseUws(env: NodeJS.ProcessEnv = process.env): { uws: typeof UWS; choice: UwsChoice } {
  const skipped: string[] = []
  if (truthy(env.UWS_USE_FALLBACK)) skipped.push('UWS_USE_FALLBACK=1: native candidates skipped')
  else {
    for (const c of UWS_CANDIDATES) {
      const r = tryCandidate(c)
      if ('uws' in r) return { uws: r.uws, choice: { native: true, name: r.name, skipped } }
      skipped.push(r.reason)
    }
  }
  if (truthy(env.UWS_ALLOW_FALLBACK)) {
    return { uws: nodeHttpUws as unknown as typeof UWS, choice: { native: false, name: 'node:http fallback', skipped } }
  }
  const refusal = new AppError(
    'UWS_NOT_AVAILABLE',
    `No native uWebSockets.js binary loads for Node ${process.versions.node} (ABI ${process.versions.modules}, ${process.platform}-${process.arch}): ${skipped.join('; ')}. ` +
      'Use a supported Node and libc (see README, Requirements) or set UWS_ALLOW_FALLBACK=1 to serve on the slower node:http fallback.'
  )
  const refuse = (): never => {
    throw refusal
  }
  return { uws: { App: refuse, SSLApp: refuse } as unknown as typeof UWS, choice: { native: false, name: 'none', skipped } }
}

/**
 * app.listen(host, port, cb) with uSockets' LIBUS_LISTEN_EXCLUSIVE_PORT. Without it uSockets sets
 * SO_REUSEPORT, and a second server on a port another one holds starts and silently shares its
 * connections. The native binding takes (host, port, options, cb); the published types lack that form.
 */
export function listenExclusive(app: UWS.TemplatedApp, host: string, port: number, cb: (s: UWS.us_listen_socket | false) => void): void {
  ;(app.listen as unknown as (h: string, p: number, o: number, c: typeof cb) => void).call(app, host, port, 1, cb)
}

const chosen = chooseUws()

/**
 * Throws UWS_NOT_AVAILABLE when no uWS build can serve (no native binary, no UWS_ALLOW_FALLBACK=1), so
 * start-up can refuse before it starts any thread.
 */
export function assertUwsAvailable(): void {
  if (chosen.choice.name === 'none') chosen.uws.App()
}

/** which build runs; `native` is false only on the allowed fallback */
export const uwsChoice: UwsChoice = chosen.choice

/** true when a native binary (not the node:http fallback) is what runs */
export const uwsNative: boolean = chosen.choice.native

export default chosen.uws
export type { HttpRequest, HttpResponse, TemplatedApp, us_listen_socket, WebSocket as UwsWebSocket } from 'uWebSockets.js'

import { resolve, join, relative, isAbsolute } from 'node:path'
import { envSchema, type Env } from './env-schema.js'
import { AppError } from '../errors/app-error.js'

/** Validated configuration with every path resolved to an absolute one. */
export interface Config extends Omit<Env, 'SESSION_DIR' | 'MEDIA_DIR' | 'DB_PATH' | 'SETTINGS_PATH' | 'WA_EVENT_STREAM_PATH'> {
  DATA_DIR: string
  SESSION_DIR: string
  MEDIA_DIR: string
  DB_PATH: string
  /** Baileys' creds and Signal keys, written synchronously by the WhatsApp worker. */
  AUTH_DB_PATH: string
  SETTINGS_PATH: string
  WA_EVENT_STREAM_PATH: string
  /** True when HOST is not a loopback address (the start-up warns if no tokens are set). */
  exposed: boolean
  /** Host names the HTTP front answers to besides loopback and IP literals: ALLOWED_HOSTS, the public URLs' hosts, a named HOST. */
  httpHosts: string[]
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost'])

/** the host[:port] of a configured public URL, when it is one */
function urlHost(v: string | undefined): string[] {
  if (!v) return []
  try {
    return [new URL(v).host.toLowerCase()]
  } catch {
    return []
  }
}

function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child)
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))
}

/**
 * Reads and validates the environment. Throws AppError CONFIG_INVALID whose message has one line per bad
 * variable (`NAME: problem (got "value")`), so a start-up failure says exactly what to fix.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means "unset", as in most .env files.
  const raw: Record<string, string> = {}
  for (const key of Object.keys(envSchema.shape)) {
    const v = env[key]
    if (v !== undefined && v !== '') raw[key] = v
  }
  const parsed = envSchema.safeParse(raw)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '?')
      const secret = /TOKEN|KEY/.test(name)
      const got = raw[name] === undefined ? '' : secret ? ' (value hidden)' : ` (got ${JSON.stringify(raw[name])})`
      return `${name}: ${issue.message}${got}`
    })
    throw new AppError('CONFIG_INVALID', `Invalid configuration:\n${lines.join('\n')}`, { problems: lines })
  }
  const e = parsed.data
  const DATA_DIR = resolve(e.DATA_DIR)
  const SESSION_DIR = resolve(e.SESSION_DIR ?? join(DATA_DIR, 'session'))
  const MEDIA_DIR = resolve(e.MEDIA_DIR ?? join(DATA_DIR, 'media'))
  const DB_PATH = resolve(e.DB_PATH ?? join(DATA_DIR, 'store.sqlite'))
  const SETTINGS_PATH = resolve(e.SETTINGS_PATH ?? join(DATA_DIR, 'settings.json'))
  const WA_EVENT_STREAM_PATH = resolve(e.WA_EVENT_STREAM_PATH ?? join(DATA_DIR, 'logs', 'wa-events.log'))
  const problems: string[] = []
  // /media serves MEDIA_DIR verbatim: nothing private may live inside it.
  if (isInside(SETTINGS_PATH, MEDIA_DIR)) problems.push(`SETTINGS_PATH: must not be inside MEDIA_DIR (${MEDIA_DIR})`)
  if (isInside(DB_PATH, MEDIA_DIR)) problems.push(`DB_PATH: must not be inside MEDIA_DIR (${MEDIA_DIR})`)
  if (isInside(SESSION_DIR, MEDIA_DIR)) problems.push(`SESSION_DIR: must not be inside MEDIA_DIR (${MEDIA_DIR})`)
  if (e.OAUTH_ENABLED) {
    // the issuer and the resource are named by the public URL, and the consent page signs in with ADMIN_TOKEN
    if (!e.PUBLIC_BASE_URL || !/^https?:\/\/[^/?#]+\/?$/.test(e.PUBLIC_BASE_URL)) problems.push('PUBLIC_BASE_URL: OAUTH_ENABLED needs the public origin of this server, e.g. https://wa.example.com (no path)')
    if (!e.ADMIN_TOKEN) problems.push('ADMIN_TOKEN: OAUTH_ENABLED needs it: the person who consents signs in with it')
  }
  if (problems.length) throw new AppError('CONFIG_INVALID', `Invalid configuration:\n${problems.join('\n')}`, { problems })
  return {
    ...e,
    DATA_DIR,
    SESSION_DIR,
    MEDIA_DIR,
    DB_PATH,
    AUTH_DB_PATH: join(SESSION_DIR, 'auth.sqlite'),
    SETTINGS_PATH,
    WA_EVENT_STREAM_PATH,
    MEDIA_ROOTS: e.MEDIA_ROOTS.map((p) => resolve(p)),
    exposed: !LOOPBACK.has(e.HOST),
    // the public URLs name this server by definition; a named bind address does too
    httpHosts: [...new Set([...e.ALLOWED_HOSTS, ...urlHost(e.PUBLIC_BASE_URL), ...urlHost(e.MEDIA_PUBLIC_BASE_URL), ...(/^[a-z][a-z0-9.-]*$/i.test(e.HOST) && !LOOPBACK.has(e.HOST) ? [e.HOST.toLowerCase()] : [])])],
  }
}

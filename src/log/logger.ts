import { pino, type DestinationStream, type Logger, type LevelWithSilent, type LoggerOptions, type LogFn } from 'pino'
import { makeRedactor, secretsFromEnv, type Redactor } from './redact.js'

export type { Logger }

/**
 * Fixed paths pino censors itself (fast-redact). No wildcards: seven `*.x` paths made every line five times
 * as dear (about 6 µs more), and the thread's redactor (see secretSafe) finds these names at any depth anyway.
 */
export const REDACT_PATHS = [
  'token',
  'upload_token',
  'authorization',
  'cookie',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  'headers["x-upload-token"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-upload-token"]',
  'creds',
  'keys',
  'qr',
  'MCP_AUTH_TOKEN',
  'MCP_CREDENTIALS',
  'ADMIN_TOKEN',
  'UPLOAD_TOKEN',
]

// one per thread: every thread reads the tokens from the environment it was started with; the main thread
// adds the upload token set at runtime (addSecrets)
let secrets = secretsFromEnv(process.env)
let redactor: Redactor = makeRedactor(secrets)

/** this thread's redactor */
export const threadRedactor = (): Redactor => redactor

/** values this thread's logs must never show from now on (tokens set at runtime) */
export function addSecrets(values: readonly string[]): void {
  const next = [...new Set([...secrets, ...values.filter(Boolean)])]
  if (next.length === secrets.length) return
  secrets = next
  redactor = makeRedactor(secrets)
}

/** a log call's arguments, redacted: objects by shape, strings as text */
function redactArgs(args: unknown[]): unknown[] {
  const r = redactor
  const first = args[0]
  // log.error(err) takes its message from the error; an Error made plain would lose it
  if (first instanceof Error && typeof args[1] !== 'string') return [{ err: r.value(first) }, r.text(first.message), ...args.slice(1).map((a) => r.value(a))]
  return args.map((a) => r.value(a))
}

/**
 * pino options with this project's redaction added: the fixed paths, every argument redacted by shape
 * before pino sees it (bytes, key-named fields, key-length base64 and hex, Buffer renderings), and the
 * configured tokens replaced in the finished line wherever they appear. A `hooks.logMethod` already in
 * `options` sees the arguments as they were given (Baileys' log signals read its error text).
 */
export function secretSafe(options: LoggerOptions): LoggerOptions {
  const own = options.hooks?.logMethod
  return {
    ...options,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    hooks: {
      ...options.hooks,
      logMethod(args, method, level) {
        const safe = function (this: Logger, ...a: unknown[]) {
          return (method as (...x: unknown[]) => void).apply(this, redactArgs(a))
        } as LogFn
        if (own) return own.call(this, args, safe, level)
        return (safe as (...x: unknown[]) => void).apply(this, args)
      },
      streamWrite: (line) => redactor.line(line)
    }
  }
}

/**
 * The line format every logger of every thread shares, ours and the one handed to Baileys: `level` as its
 * name (`"info"`, not 30) and `time` as an ISO 8601 string. A logger made without it wrote numbers.
 */
export const LOG_FORMAT = {
  timestamp: pino.stdTimeFunctions.isoTime,
  formatters: { level: (label: string) => ({ level: label }) }
} satisfies LoggerOptions

/**
 * One pino logger per thread: JSON lines on stdout. `bindings` names the thread (`thread`: main,
 * wa-worker, pool); a part of it binds `actor` in a child. Two bindings of one key would print the key
 * twice in one line (`"actor":"main","actor":"recovery"`), which JSON parsers read as the last one, so the
 * thread and the actor are two keys. Secrets are redacted wherever they appear in
 * a logged object or message (secretSafe), so a careless `log.info({ settings })` cannot leak a token.
 * `destination` is for tests; stdout otherwise.
 */
export function createLogger(level: LevelWithSilent, bindings: Record<string, unknown> = {}, destination?: DestinationStream): Logger {
  const options = secretSafe({
    level,
    base: { ...bindings },
    ...LOG_FORMAT,
  })
  return destination ? pino(options, destination) : pino(options)
}

// Libraries write to `console` directly: libsignal prints every Signal session it opens or closes, private
// and root keys included, with console.info. In every thread we start (main, the WhatsApp worker, the pool's
// threads) console is routed into that thread's pino logger, whose hooks redact (see logger.ts), so nothing
// reaches stdout unredacted and every line is JSON with a level and `source: 'console'`.
import type { Logger } from 'pino'

type Level = 'debug' | 'info' | 'warn' | 'error'

const CAPTURED = Symbol.for('whatsapp-mcp-stream.console-captured')

// Library chatter (session opened, session closed) on every change would bury our own lines at info:
// console.log and console.info go to debug; warnings and errors keep their level.
const LEVELS: Record<'log' | 'info' | 'debug' | 'trace' | 'dir' | 'warn' | 'error', Level> = {
  log: 'debug',
  info: 'debug',
  debug: 'debug',
  trace: 'debug',
  dir: 'debug',
  warn: 'warn',
  error: 'error'
}

/** a console call as one log entry: the strings and numbers are the message, objects go under `args` */
export function consoleEntry(args: unknown[]): { obj: { args?: unknown[] }; msg: string } {
  const words: string[] = []
  const objects: unknown[] = []
  for (const a of args) {
    if (a !== null && (typeof a === 'object' || typeof a === 'function')) objects.push(a)
    else words.push(String(a))
  }
  return { obj: objects.length ? { args: objects } : {}, msg: words.join(' ') }
}

/**
 * Replaces this thread's console methods with ones that log through `log` (a logger made by createLogger
 * or with secretSafe options), bound with `source: 'console'`. A call below the logger's level costs one
 * level check. Once per thread: a second call changes nothing. Returns what puts the old console back.
 */
export function captureConsole(log: Logger): () => void {
  const c = console as unknown as Record<string, unknown> & { [CAPTURED]?: true }
  if (c[CAPTURED]) return () => undefined
  const out = log.child({ source: 'console' })
  const before = Object.fromEntries(Object.keys(LEVELS).map((m) => [m, c[m]]))
  for (const [method, level] of Object.entries(LEVELS)) {
    c[method] = (...args: unknown[]): void => {
      if (!out.isLevelEnabled(level)) return
      const { obj, msg } = consoleEntry(args)
      out[level](obj, msg)
    }
  }
  c[CAPTURED] = true
  return () => {
    Object.assign(c, before)
    delete c[CAPTURED]
  }
}

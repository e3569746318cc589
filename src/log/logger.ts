import { pino, type Logger, type LevelWithSilent } from 'pino'

export type { Logger }

/**
 * One pino logger for the whole process: JSON lines on stdout. Secrets are redacted by key name wherever
 * they appear in a logged object, so a careless `log.info({ settings })` cannot leak a token.
 */
export const REDACT_PATHS = [
  'token',
  '*.token',
  'upload_token',
  '*.upload_token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  '*.headers.authorization',
  'x-upload-token',
  '*.x-upload-token',
  'creds',
  '*.creds',
  'keys',
  '*.keys',
  'qr',
  '*.qr',
  'MCP_AUTH_TOKEN',
  'ADMIN_TOKEN',
  'UPLOAD_TOKEN',
]

export function createLogger(level: LevelWithSilent, bindings: Record<string, unknown> = {}): Logger {
  return pino({
    level,
    base: { ...bindings },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  })
}

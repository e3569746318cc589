import { ERROR_CODES, type ErrorCode } from './codes.js'

/**
 * The only error type the product throws on purpose. `code` is stable (see codes.ts); `message` is for
 * people; `data` carries structured details a client can act on (never secrets or stack traces).
 */
export class AppError extends Error {
  override readonly name = 'AppError'
  readonly code: ErrorCode
  readonly data: Record<string, unknown> | undefined

  constructor(code: ErrorCode, message?: string, data?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message ?? ERROR_CODES[code].summary, options)
    this.code = code
    this.data = data
  }

  get status(): number {
    return ERROR_CODES[this.code].status
  }

  get retryable(): boolean {
    return ERROR_CODES[this.code].retryable
  }

  /** The shape every HTTP error body and every MCP `isError` result carries. */
  toJSON(): { code: ErrorCode; message: string; retryable: boolean; data?: Record<string, unknown> } {
    return { code: this.code, message: this.message, retryable: this.retryable, ...(this.data ? { data: this.data } : {}) }
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError
}

/** Any thrown value as an AppError; unknown errors become INTERNAL with a generic message. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err
  return new AppError('INTERNAL', undefined, undefined, { cause: err })
}

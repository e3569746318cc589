// Reads a request body, enforcing the route's limit while it streams in: nothing past the limit is buffered.
// A route decides auth from the headers first and calls readBody only for a request it will serve, so an
// unauthenticated body is never buffered (uWS discards a body no onData callback asks for).
import type { HttpResponse } from './uws.js'
import { AppError } from '../errors/app-error.js'
import type { ResState } from './respond.js'

/** a Content-Length header as a number, or undefined when absent or not a plain decimal */
export function declaredLength(v: string | undefined): number | undefined {
  return v !== undefined && /^\d{1,16}$/.test(v) ? Number(v) : undefined
}

/**
 * One body being read. uWS keeps the onData callback until the response ends, and a long call (a wait of
 * minutes) keeps the response, so the callback holds only this reader, and the reader lets go of the
 * chunks, its callbacks and the abort hook as soon as the body is whole.
 */
class BodyReader {
  private chunks: Buffer[] | undefined = []
  private size = 0

  constructor(
    private readonly limit: number,
    private st: ResState | undefined,
    /** the whole body; `borrowed` when it is uWS's own memory, valid only until this call returns */
    private deliver: ((body: Buffer, borrowed: boolean) => void) | undefined,
    private reject: ((err: AppError) => void) | undefined
  ) {}

  data(chunk: ArrayBuffer, isLast: boolean): void {
    if (!this.chunks) return
    this.size += chunk.byteLength
    if (this.size > this.limit) return this.fail(new AppError('PAYLOAD_TOO_LARGE', `The body is larger than ${this.limit} bytes.`, { limit: this.limit }))
    const deliver = this.deliver!
    // the whole body in one chunk (every small one): lent as it is, a view of uWS's memory
    if (isLast && this.chunks.length === 0) {
      this.release()
      return deliver(Buffer.from(chunk), true)
    }
    // uWS reuses the chunk's memory after this callback returns: copy it
    this.chunks.push(Buffer.from(new Uint8Array(chunk)))
    if (!isLast) return
    const body = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.size)
    this.release()
    deliver(body, false)
  }

  /** the client went away before the whole body came */
  aborted(): void {
    if (this.chunks) this.fail(new AppError('INVALID_INPUT', 'The client went away before sending the whole body.'))
  }

  private fail(err: AppError): void {
    const reject = this.reject!
    this.release()
    reject(err)
  }

  /** the abort hook this reader set on the response's state, taken back once the body is whole */
  hook: (() => void) | undefined

  private release(): void {
    if (this.st && this.st.onAbort === this.hook) this.st.onAbort = undefined
    this.chunks = this.deliver = this.reject = this.st = this.hook = undefined
  }
}

export function readBody(res: HttpResponse, st: ResState, limit: number, declared?: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // a lent body is copied: the promise settles after uWS has taken its memory back
    withBody(res, st, limit, declared, (body, borrowed) => resolve(borrowed ? Buffer.from(body) : body), reject)
  })
}

/**
 * The body for a consumer that is done with its bytes before it returns (one that parses them): `use`
 * gets them synchronously, a body that came in one chunk without a copy (`borrowed`: uWS's memory, valid
 * only during the call). `failed` hears of a body over the limit or a client that left. Like readBody, it
 * must be called before the handler's first await.
 */
export function withBody(res: HttpResponse, st: ResState, limit: number, declared: number | undefined, use: (body: Buffer, borrowed: boolean) => void, failed: (err: AppError) => void): void {
  if (declared !== undefined && declared > limit) return failed(new AppError('PAYLOAD_TOO_LARGE', `The body is larger than ${limit} bytes.`, { limit }))
  listen(res, st, new BodyReader(limit, st, use, failed))
}

/** apart from withBody: the callbacks' scope holds the reader alone */
function listen(res: HttpResponse, st: ResState, reader: BodyReader): void {
  res.onData((chunk, isLast) => reader.data(chunk, isLast))
  st.onAbort = reader.hook = () => reader.aborted()
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * A body as a JSON object: INVALID_INPUT (with `expected` as the message) when it is not UTF-8, not JSON,
 * or JSON that is not an object (`null`, an array, a number). An empty body counts as `{}` when
 * `emptyIsObject` is set.
 */
export function parseJsonObject(body: Buffer, expected: string, emptyIsObject = false): Record<string, unknown> {
  if (emptyIsObject && body.length === 0) return {}
  let v: unknown
  try {
    v = JSON.parse(utf8.decode(body))
  } catch {
    throw new AppError('INVALID_INPUT', expected)
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new AppError('INVALID_INPUT', expected)
  return v as Record<string, unknown>
}

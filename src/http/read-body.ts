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

export function readBody(res: HttpResponse, st: ResState, limit: number, declared?: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (declared !== undefined && declared > limit) {
      reject(new AppError('PAYLOAD_TOO_LARGE', `The body is larger than ${limit} bytes.`, { limit }))
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    let done = false
    res.onData((chunk, isLast) => {
      if (done) return
      size += chunk.byteLength
      if (size > limit) {
        done = true
        reject(new AppError('PAYLOAD_TOO_LARGE', `The body is larger than ${limit} bytes.`, { limit }))
        return
      }
      // uWS reuses the chunk's memory after this callback returns: copy it
      chunks.push(Buffer.from(new Uint8Array(chunk)))
      if (isLast) {
        done = true
        resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size))
        // uWS keeps this callback until the response ends, and a long call (a wait of minutes) keeps the
        // response: the body is the reader's to let go of, and nothing here keeps it
        chunks.length = 0
        if (st.onAbort === onAbort) st.onAbort = undefined
      }
    })
    const onAbort = (): void => {
      if (!done) {
        done = true
        reject(new AppError('INVALID_INPUT', 'The client went away before sending the whole body.'))
      }
    }
    st.onAbort = onAbort
  })
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

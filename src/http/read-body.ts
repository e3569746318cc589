// Reads a request body, enforcing the route's limit while it streams in: nothing past the limit is buffered.
import type { HttpResponse } from './uws.js'
import { AppError } from '../errors/app-error.js'
import type { ResState } from './respond.js'

export function readBody(res: HttpResponse, st: ResState, limit: number, declaredLength?: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (declaredLength !== undefined && declaredLength > limit) {
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
      }
    })
    st.onAbort = () => {
      if (!done) {
        done = true
        reject(new AppError('INVALID_INPUT', 'The client went away before sending the whole body.'))
      }
    }
  })
}

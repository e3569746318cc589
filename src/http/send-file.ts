// Streams a file to a uWS response with backpressure (tryEnd / onWritable), so a large file never sits in
// memory and a slow client never makes the server buffer.
import { open, type FileHandle } from 'node:fs/promises'
import type { HttpResponse } from './uws.js'
import { statusLine, type ResState } from './respond.js'
import { headerValue } from './header-values.js'

const CHUNK = 256 * 1024

export async function sendFile(res: HttpResponse, st: ResState, path: string, headers: Record<string, string>, range?: { start: number; end: number }, onDone?: () => void): Promise<void> {
  let fh: FileHandle
  try {
    fh = await open(path, 'r')
  } catch (err) {
    onDone?.()
    throw err
  }
  const { size } = await fh.stat()
  const start = range?.start ?? 0
  const end = Math.min(range?.end ?? size - 1, size - 1)
  const total = Math.max(0, end - start + 1)
  const status = range ? 206 : 200
  let offset = 0 // bytes of the body sent so far
  const finish = (): void => {
    void fh.close().catch(() => undefined)
    onDone?.()
  }
  const prev = st.onAbort
  st.onAbort = () => {
    prev?.()
    finish()
  }
  if (st.aborted) return finish()
  res.cork(() => {
    res.writeStatus(statusLine(status))
    for (const [k, v] of Object.entries(headers)) res.writeHeader(k, headerValue(v))
    res.writeHeader('accept-ranges', 'bytes')
    if (range) res.writeHeader('content-range', `bytes ${start}-${end}/${size}`)
  })
  if (total === 0) {
    res.cork(() => res.end())
    return finish()
  }
  const buf = Buffer.allocUnsafe(CHUNK)
  const pump = async (): Promise<void> => {
    while (!st.aborted && offset < total) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(CHUNK, total - offset), start + offset)
      if (bytesRead === 0 || st.aborted) break
      const chunk = buf.subarray(0, bytesRead)
      const writeOffset = res.getWriteOffset()
      let ok = false
      let done = false
      res.cork(() => {
        ;[ok, done] = res.tryEnd(chunk, total)
      })
      if (done) return finish()
      if (ok) {
        offset += bytesRead
        continue
      }
      // backpressure: wait until uWS can take more, then resend what it did not take
      const sentBefore = offset
      await new Promise<void>((resolve) => {
        res.onWritable((wo) => {
          const taken = wo - writeOffset
          const [ok2, done2] = res.tryEnd(chunk.subarray(taken), total)
          if (done2) {
            offset = total
            resolve()
            return true
          }
          if (ok2) {
            offset = sentBefore + bytesRead
            resolve()
          }
          return ok2
        })
      })
    }
    finish()
  }
  await pump()
}

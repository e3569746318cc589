// The SSE writer of /mcp: a reply that turns into a stream of events, shared by both protocol eras.
import type { HttpResponse } from './uws.js'
import type { RequestInfo } from './router.js'
import type { ResState } from './respond.js'
import type { SseWriter } from '../mcp/session.js'
import { namesToken } from './header-values.js'

const SSE_HEADERS: Record<string, string> = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' }

/** whether the Accept header allows `type` (or anything) */
export function accepts(r: RequestInfo, type: string): boolean {
  return namesToken(r.headers.accept, type) || namesToken(r.headers.accept, '*/*')
}

/** an SSE writer over a uWS response: corked writes, nothing after an abort */
export function openSse(res: HttpResponse, st: ResState, extra: Record<string, string> = {}): SseWriter {
  const w: SseWriter = {
    closed: false,
    write(event: string) {
      if (w.closed || st.aborted) return false
      res.cork(() => res.write(event))
      return true
    },
    close() {
      if (w.closed) return
      w.closed = true
      if (!st.aborted) res.cork(() => res.end())
    }
  }
  res.cork(() => {
    res.writeStatus('200 OK')
    for (const [k, v] of Object.entries({ ...SSE_HEADERS, ...extra })) res.writeHeader(k, v)
    // flush the headers now: a stream may stay silent for a while
    res.write(': open\n\n')
  })
  const prev = st.onAbort
  st.onAbort = () => {
    prev?.()
    w.closed = true
  }
  return w
}

// Writes a web-standard Response (what the MCP SDK's transport returns) to a uWS response: plain bodies in
// one corked write, event streams chunk by chunk until either side ends them.
import type { HttpResponse } from './uws.js'
import { statusLine, type ResState } from './respond.js'

export async function pipeResponse(response: Response, res: HttpResponse, st: ResState, extraHeaders: Record<string, string> = {}): Promise<void> {
  const isStream = (response.headers.get('content-type') ?? '').includes('text/event-stream')
  const writeHead = (): void => {
    res.writeStatus(statusLine(response.status))
    response.headers.forEach((v, k) => {
      if (k !== 'content-length') res.writeHeader(k, v)
    })
    for (const [k, v] of Object.entries(extraHeaders)) res.writeHeader(k, v)
  }
  if (!isStream || !response.body) {
    const body = response.body ? new Uint8Array(await response.arrayBuffer()) : new Uint8Array()
    if (st.aborted) return
    res.cork(() => {
      writeHead()
      res.end(body)
    })
    return
  }
  const reader = response.body.getReader()
  const previous = st.onAbort
  st.onAbort = () => {
    previous?.()
    void reader.cancel().catch(() => undefined)
  }
  if (st.aborted) {
    await reader.cancel()
    return
  }
  res.cork(() => {
    writeHead()
    // flush the headers at once: a GET stream may stay silent for a long time
    res.write('')
  })
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done || st.aborted) break
      res.cork(() => res.write(value))
    }
  } catch {
    // the stream was cancelled (client gone or session closed)
  }
  if (!st.aborted) res.cork(() => res.end())
}

// HTTP requests with headers fetch() refuses to send (Host, Origin, Sec-Fetch-Site, odd Content-Length),
// each on its own connection, answered as status, headers and text.
import { request } from 'node:http'

export interface RawResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
  /** the body parsed as JSON, or undefined */
  json: unknown
}

export interface RawRequest {
  method?: string
  path: string
  /** header values; `host: null` sends no Host header at all */
  headers?: Record<string, string | null>
  body?: string | Buffer
  timeoutMs?: number
}

/** one request on a fresh connection; rejects on a connection error or when no answer comes in time */
export function raw(port: number, r: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {}
    let setHost = true
    for (const [k, v] of Object.entries(r.headers ?? {})) {
      if (v === null) {
        if (k.toLowerCase() === 'host') setHost = false
        continue
      }
      headers[k] = v
    }
    // Node sends a GET's or DELETE's body with neither Content-Length nor chunking: say how long it is
    if (r.body !== undefined && !Object.keys(headers).some((k) => ['content-length', 'transfer-encoding'].includes(k.toLowerCase()))) headers['content-length'] = String(Buffer.byteLength(r.body))
    const req = request({ host: '127.0.0.1', port, method: r.method ?? 'GET', path: r.path, headers, setHost, agent: false })
    const t = setTimeout(() => req.destroy(new Error(`no answer to ${r.method ?? 'GET'} ${r.path.slice(0, 80)} in ${r.timeoutMs ?? 5000} ms`)), r.timeoutMs ?? 5000)
    req.on('response', (res) => {
      // a stream that stays open (SSE) is answered by its head
      if (String(res.headers['content-type'] ?? '').includes('text/event-stream')) {
        clearTimeout(t)
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: '', json: undefined })
        return void req.destroy()
      }
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        clearTimeout(t)
        const text = Buffer.concat(chunks).toString('utf8')
        let json: unknown
        try {
          json = JSON.parse(text)
        } catch {
          json = undefined
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json })
      })
      res.on('error', (err) => {
        clearTimeout(t)
        reject(err)
      })
    })
    req.on('error', (err) => {
      clearTimeout(t)
      reject(err)
    })
    if (r.body !== undefined) req.end(r.body)
    else req.end()
  })
}

/** the registry code of an error answer: the JSON error body's, or a JSON-RPC error's data.code */
export function errorCode(res: RawResponse): string | undefined {
  const j = res.json as { error?: { code?: unknown; data?: { code?: unknown } } } | undefined
  if (typeof j?.error?.code === 'string') return j.error.code
  if (typeof j?.error?.data?.code === 'string') return j.error.data.code
  return undefined
}

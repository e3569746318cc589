// The part of the uWebSockets.js API this server uses, on node:http. It runs only when no native binary
// loads and the operator said UWS_ALLOW_FALLBACK=1: slower, but every route behaves as on uWS (routing
// precedence, onData chunks, tryEnd/onWritable backpressure, aborts). The packages' own JavaScript
// fallbacks leave tryEnd, onWritable, pause and resume unimplemented, so they crash on our routes.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'

type Handler = (res: FallbackResponse, req: FallbackRequest) => void

interface Route {
  method: string
  segments: string[]
  handler: Handler
  order: number
}

// uWS tries a static segment before a parameter, a parameter before a wildcard, and a route for the
// method before one for any method; registration order breaks what is left
const rank = (seg: string): number => (seg === '*' ? 2 : seg.startsWith(':') ? 1 : 0)
function compareRoutes(a: Route, b: Route): number {
  for (let i = 0; i < Math.max(a.segments.length, b.segments.length); i++) {
    const d = rank(a.segments[i] ?? '') - rank(b.segments[i] ?? '')
    if (d) return d
  }
  return (a.method === '*' ? 1 : 0) - (b.method === '*' ? 1 : 0) || a.order - b.order
}

function match(route: Route, parts: string[]): string[] | undefined {
  const params: string[] = []
  for (let i = 0; i < route.segments.length; i++) {
    const seg = route.segments[i]!
    if (seg === '*') return params
    if (i >= parts.length) return undefined
    if (seg.startsWith(':')) params.push(parts[i]!)
    else if (seg !== parts[i]) return undefined
  }
  return parts.length === route.segments.length ? params : undefined
}

/** a name or value uWS may be given as bytes (the hot paths hand them over pre-encoded) */
const latin1 = (v: string | Uint8Array): string => (typeof v === 'string' ? v : Buffer.from(v.buffer, v.byteOffset, v.length).toString('latin1'))

/** uWS's HttpRequest: valid only during the synchronous part of the handler, as on uWS */
class FallbackRequest {
  yielded = false
  constructor(private readonly req: IncomingMessage, private readonly path: string, private readonly query: string, public params: string[]) {}
  getHeader(key: string | Uint8Array): string {
    const lower = latin1(key)
    const raw = this.req.rawHeaders
    for (let i = 0; i < raw.length; i += 2) if (raw[i]!.toLowerCase() === lower) return raw[i + 1]!
    return ''
  }
  getUrl(): string { return this.path }
  getQuery(key?: string): string | undefined {
    if (key === undefined) return this.query
    return new URLSearchParams(this.query).get(key) ?? undefined
  }
  getMethod(): string { return (this.req.method ?? '').toLowerCase() }
  getCaseSensitiveMethod(): string { return this.req.method ?? '' }
  getParameter(i: number): string | undefined { return this.params[i] }
  setYield(y: boolean): this { this.yielded = y; return this }
}

/** uWS's HttpResponse on a node ServerResponse; body offsets count bytes handed to node */
class FallbackResponse {
  private offset = 0
  private abortHandler?: () => void
  private done = false
  constructor(private readonly req: IncomingMessage, private readonly res: ServerResponse) {
    res.on('close', () => {
      if (!this.done) {
        this.done = true
        this.abortHandler?.()
      }
    })
  }
  cork(fn: () => void): this { fn(); return this }
  writeStatus(line: string | Uint8Array): this {
    const [code, ...text] = latin1(line).split(' ')
    this.res.statusCode = Number(code)
    if (text.length) this.res.statusMessage = text.join(' ')
    return this
  }
  writeHeader(key: string | Uint8Array, value: string | Uint8Array): this {
    this.res.appendHeader(latin1(key), latin1(value))
    return this
  }
  write(chunk: string | ArrayBufferView | ArrayBuffer): boolean {
    const b = toBuffer(chunk)
    this.offset += b.byteLength
    return this.res.write(b)
  }
  end(body?: string | ArrayBufferView | ArrayBuffer, closeConnection?: boolean): this {
    this.done = true
    if (closeConnection) this.res.setHeader('connection', 'close')
    this.res.end(body === undefined ? undefined : toBuffer(body))
    return this
  }
  endWithoutBody(): this { return this.end() }
  tryEnd(chunk: string | ArrayBufferView | ArrayBuffer, total: number): [boolean, boolean] {
    if (!this.res.headersSent && !this.res.hasHeader('content-length')) this.res.setHeader('content-length', String(total))
    const ok = this.write(chunk)
    if (this.offset >= total) {
      this.end()
      return [true, true]
    }
    return [ok, false]
  }
  getWriteOffset(): number { return this.offset }
  onWritable(handler: (offset: number) => boolean): this {
    // node buffered everything it was given: once drained, the whole offset is taken
    const again = (): void => {
      if (!this.done && !handler(this.offset)) this.res.once('drain', again)
    }
    this.res.once('drain', again)
    return this
  }
  onAborted(handler: () => void): this { this.abortHandler = handler; return this }
  onData(handler: (chunk: ArrayBuffer, isLast: boolean) => void): this {
    this.req.on('data', (b: Buffer) => handler(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer, false))
    this.req.on('end', () => handler(new ArrayBuffer(0), true))
    return this
  }
  pause(): this { this.req.pause(); return this }
  resume(): this { this.req.resume(); return this }
  close(): this {
    this.done = true
    this.abortHandler?.()
    this.res.destroy()
    return this
  }
  getRemoteAddressAsText(): ArrayBuffer { return toArrayBuffer(this.req.socket.remoteAddress ?? '') }
}

const toBuffer = (c: string | ArrayBufferView | ArrayBuffer): Buffer =>
  typeof c === 'string' ? Buffer.from(c) : c instanceof ArrayBuffer ? Buffer.from(c) : Buffer.from(c.buffer, c.byteOffset, c.byteLength)
const toArrayBuffer = (s: string): ArrayBuffer => new TextEncoder().encode(s).buffer as ArrayBuffer

class FallbackApp {
  private routes: Route[] = []
  private sorted = true
  private add(method: string, pattern: string, handler: Handler): this {
    this.routes.push({ method, segments: pattern.split('/').slice(1), handler, order: this.routes.length })
    this.sorted = false
    return this
  }
  get(p: string, h: Handler): this { return this.add('GET', p, h) }
  post(p: string, h: Handler): this { return this.add('POST', p, h) }
  put(p: string, h: Handler): this { return this.add('PUT', p, h) }
  patch(p: string, h: Handler): this { return this.add('PATCH', p, h) }
  del(p: string, h: Handler): this { return this.add('DELETE', p, h) }
  options(p: string, h: Handler): this { return this.add('OPTIONS', p, h) }
  head(p: string, h: Handler): this { return this.add('HEAD', p, h) }
  any(p: string, h: Handler): this { return this.add('*', p, h) }

  private dispatch(req: IncomingMessage, res: ServerResponse): void {
    if (!this.sorted) {
      this.routes.sort(compareRoutes)
      this.sorted = true
    }
    const url = req.url ?? '/'
    const q = url.indexOf('?')
    const path = q < 0 ? url : url.slice(0, q)
    const query = q < 0 ? '' : url.slice(q + 1)
    const parts = path.split('/').slice(1)
    const method = (req.method ?? '').toUpperCase()
    const response = new FallbackResponse(req, res)
    for (const r of this.routes) {
      if (r.method !== '*' && r.method !== method) continue
      const params = match(r, parts)
      if (!params) continue
      const request = new FallbackRequest(req, path, query, params)
      r.handler(response, request)
      if (!request.yielded) return
    }
    res.statusCode = 404
    res.end()
  }

  /** listen([host,] port, [options,] cb) as on uWS; node never shares a port, so options change nothing */
  listen(...args: Array<string | number | ((s: Server | false) => void)>): this {
    const done = args.pop() as (s: Server | false) => void
    const h = typeof args[0] === 'string' ? (args.shift() as string) : undefined
    const p = args[0] as number
    const server = createServer((req, res) => this.dispatch(req, res))
    server.once('error', () => done(false))
    server.listen(p, h, () => done(server))
    return this
  }
}

/** the uWS module surface: App, the listen-socket helpers, nothing else */
export const nodeHttpUws = {
  App: (): FallbackApp => new FallbackApp(),
  us_socket_local_port: (s: Server): number => {
    const a = s.address()
    return typeof a === 'object' && a ? a.port : -1
  },
  us_listen_socket_close: (s: Server): void => {
    s.close()
    s.closeIdleConnections()
  }
}

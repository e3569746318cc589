// A webhook receiver on 127.0.0.1 for tests and the bench: records every request (headers, body) and
// answers with what `respond` says, so a test can fail a delivery on purpose and then recover.
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Received {
  id: string
  timestamp: string
  signature: string
  body: string
  /** the status this request was answered with */
  answered: number
}

export interface Receiver {
  url: string
  received: Received[]
  /** the status for a request; default 200 */
  respond: (r: Received, nth: number) => number
  /** resolves once `pred` holds over what was received (checked on each request) */
  until(pred: (received: Received[]) => boolean, timeoutMs?: number, what?: string): Promise<void>
  close(): Promise<void>
}

const header = (req: IncomingMessage, name: string): string => String(req.headers[name] ?? '')

export async function startReceiver(opts: { record?: boolean } = {}): Promise<Receiver> {
  const record = opts.record ?? true
  const checks = new Set<() => void>()
  let count = 0
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const r: Received = { id: header(req, 'webhook-id'), timestamp: header(req, 'webhook-timestamp'), signature: header(req, 'webhook-signature'), body: Buffer.concat(chunks).toString('utf8'), answered: 0 }
      r.answered = rx.respond(r, count++)
      if (record) rx.received.push(r)
      res.writeHead(r.answered, { 'content-type': 'text/plain' }).end('ok')
      for (const c of checks) c()
    })
  })
  server.keepAliveTimeout = 30_000
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const rx: Receiver = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received: [],
    respond: () => 200,
    until(pred, timeoutMs = 30_000, what = 'webhook deliveries') {
      if (pred(rx.received)) return Promise.resolve()
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (!pred(rx.received)) return
          checks.delete(check)
          clearTimeout(t)
          resolve()
        }
        const t = setTimeout(() => {
          checks.delete(check)
          reject(new Error(`timed out waiting for ${what}; received ${rx.received.length}: ${rx.received.slice(-5).map((x) => `${x.id}=${x.answered}`).join(' ')}`))
        }, timeoutMs)
        checks.add(check)
      })
    },
    close: () => new Promise<void>((r) => {
      server.closeAllConnections()
      server.close(() => r())
    })
  }
  return rx
}

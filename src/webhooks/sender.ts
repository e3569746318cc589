// One webhook attempt on the wire: a POST through a keep-alive agent per endpoint, whose every new socket
// goes through the URL guard's vetted lookup (media/url-guard.ts), so a name that resolves to a private
// address at send time is refused as it is at save time. Redirects are not followed. Never throws: every
// failure is an outcome with a message that names the host, never the secret or the resolved address.
import { Agent as HttpAgent, request as httpRequest } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'
import { AppError } from '../errors/app-error.js'
import { assertFetchableUrl, vettedLookup, type GuardOptions } from '../media/url-guard.js'
import type { AttemptOutcome } from './retry-policy.js'

/** idle keep-alive sockets kept per endpoint; the sender's concurrency bounds the busy ones */
const MAX_FREE_SOCKETS = 16

export interface SenderOptions {
  /** WEBHOOK_ALLOW_PRIVATE */
  allowPrivate: boolean
  /** WEBHOOK_TIMEOUT_MS: for the whole attempt, connection to the end of the answer */
  timeoutMs: number
}

export class WebhookSender {
  private readonly agents = new Map<string, { url: string; agent: HttpAgent }>()

  constructor(private readonly o: SenderOptions) {}

  private agentFor(endpointId: string, url: URL): HttpAgent {
    const have = this.agents.get(endpointId)
    if (have?.url === url.href) return have.agent
    have?.agent.destroy()
    const opts = { keepAlive: true, maxFreeSockets: MAX_FREE_SOCKETS }
    const agent = url.protocol === 'https:' ? new HttpsAgent(opts) : new HttpAgent(opts)
    this.agents.set(endpointId, { url: url.href, agent })
    return agent
  }

  /** POSTs `body` with `headers` to the endpoint's URL; resolves with the status or an error text */
  post(endpointId: string, href: string, headers: Record<string, string>, body: string): Promise<AttemptOutcome> {
    let url: URL
    const guard: GuardOptions = { allowPrivate: this.o.allowPrivate, timeoutMs: this.o.timeoutMs, label: 'The webhook URL' }
    try {
      url = new URL(href)
      assertFetchableUrl(url, guard)
    } catch (err) {
      return Promise.resolve({ error: describe(err, href) })
    }
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest
    const payload = Buffer.from(body, 'utf8')
    return new Promise((resolve) => {
      let settled = false
      const done = (o: AttemptOutcome): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        resolve(o)
      }
      const req = send(url, {
        method: 'POST',
        agent: this.agentFor(endpointId, url),
        lookup: vettedLookup(url, guard),
        headers: { ...headers, 'content-type': 'application/json', 'content-length': String(payload.length), 'user-agent': 'whatsapp-mcp-stream-webhooks' }
      })
      const timer = setTimeout(() => {
        done({ error: `no answer from ${url.host} within ${this.o.timeoutMs} ms` })
        req.destroy()
      }, this.o.timeoutMs)
      req.on('error', (err) => done({ error: describe(err, href) }))
      req.on('response', (res) => {
        const status = res.statusCode ?? 0
        // the answer's body is read and dropped, so the socket goes back to the agent for the next attempt
        res.on('end', () => done({ status }))
        res.on('error', () => done({ status }))
        res.resume()
      })
      req.end(payload)
    })
  }

  /** closes an endpoint's sockets (removed, or its URL changed) */
  drop(endpointId: string): void {
    this.agents.get(endpointId)?.agent.destroy()
    this.agents.delete(endpointId)
  }

  close(): void {
    for (const { agent } of this.agents.values()) agent.destroy()
    this.agents.clear()
  }
}

function describe(err: unknown, href: string): string {
  let host = ''
  try {
    host = new URL(href).host
  } catch {
    return 'the webhook URL is not a URL'
  }
  if (err instanceof AppError && err.code === 'URL_FORBIDDEN') return `${host} is not a public address (WEBHOOK_ALLOW_PRIVATE=true allows private ones)`
  if (err instanceof AppError) return err.message
  const code = (err as NodeJS.ErrnoException).code
  return `could not reach ${host}${code ? ` (${code})` : ''}`
}

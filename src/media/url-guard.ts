// The one way the server fetches a URL on a caller's behalf (media_url today; a webhook sender or an avatar
// fetch later reuses guardedFetch). Unless private targets are allowed, it connects to public addresses
// only (see public-address.ts), and it judges the address the socket is handed, not the name: names are
// resolved once, inside the socket's own lookup, every resolved address is vetted, and only vetted
// addresses reach connect(), so no second resolution (DNS rebinding) can pick a different one. IP-literal
// hosts skip resolution in node:net, so they are judged before the request. Every redirect hop goes
// through the same check.
import { lookup as dnsLookup } from 'node:dns/promises'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { isIP, type LookupFunction } from 'node:net'
import { Readable } from 'node:stream'
import { AppError } from '../errors/app-error.js'
import { classifyAddress, isLoopbackName } from './public-address.js'

/** redirects followed before MEDIA_FETCH_FAILED (fetch's own limit is 20; a media link needs a few) */
export const MAX_REDIRECTS = 5
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308])
const NULL_BODY_STATUSES = new Set([204, 205, 304])

export interface ResolvedAddress {
  address: string
  family: number
}

export interface GuardOptions {
  /** MEDIA_URL_ALLOW_PRIVATE: skip the address check (schemes and redirect bounds still apply) */
  allowPrivate: boolean
  /** for the whole exchange, body included */
  timeoutMs: number
  /** name resolution; defaults to the system resolver (dns.lookup, so /etc/hosts applies). A test seam. */
  resolve?: (hostname: string) => Promise<ResolvedAddress[]>
  /** addresses to treat as public although they are not; a test seam, so a loopback server can play a public hop */
  trustAsPublic?: readonly string[]
  /** what the refusal message calls the URL (`media_url`, `webhook URL`, ...) */
  label?: string
}

const systemResolve = (hostname: string): Promise<ResolvedAddress[]> => dnsLookup(hostname, { all: true, verbatim: true })

/** the URL's host as the caller wrote it, after parsing; the only host a refusal may name */
const shownHost = (url: URL): string => url.host

function forbidden(url: URL, o: GuardOptions): AppError {
  return new AppError('URL_FORBIDDEN', `${o.label ?? 'The URL'} host ${shownHost(url)} is not a public address; only public http and https targets may be fetched (MEDIA_URL_ALLOW_PRIVATE=true allows private ones).`)
}

/**
 * Checks what can be checked without resolving: http or https, for an IP-literal host the address, and
 * that the name is not `localhost` or under it.
 * Throws INVALID_INPUT for another scheme or for user info in the URL (fetch never sent it either), and
 * URL_FORBIDDEN for a non-public IP literal.
 */
export function assertFetchableUrl(url: URL, o: GuardOptions): void {
  const label = o.label ?? 'The URL'
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new AppError('INVALID_INPUT', `${label} must be http or https.`)
  const literal = url.hostname.replace(/^\[|\]$/g, '')
  if (!o.allowPrivate && (isIP(literal) ? !isAllowed(literal, o) : isLoopbackName(literal))) throw forbidden(url, o)
  if (url.username || url.password) throw new AppError('INVALID_INPUT', `${label} must not carry a user name or password.`)
}

const isAllowed = (address: string, o: GuardOptions): boolean => o.allowPrivate || o.trustAsPublic?.includes(address) === true || classifyAddress(address).public

/** a socket lookup that resolves once and hands connect() only addresses that passed the check (the webhook sender gives it to its keep-alive sockets) */
export function vettedLookup(url: URL, o: GuardOptions): LookupFunction {
  const resolve = o.resolve ?? systemResolve
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (found) => {
        const wanted = options.family === 4 || options.family === 6 ? found.filter((a) => a.family === options.family) : found
        if (wanted.length === 0) return callback(new AppError('MEDIA_FETCH_FAILED', `Cannot resolve ${shownHost(url)}.`), '', 0)
        // one refused address refuses the name: a round-robin entry must not decide by chance
        if (!wanted.every((a) => isAllowed(a.address, o))) return callback(forbidden(url, o), '', 0)
        if (options.all) return (callback as unknown as (e: null, a: ResolvedAddress[]) => void)(null, wanted)
        callback(null, wanted[0]!.address, wanted[0]!.family)
      },
      () => callback(new AppError('MEDIA_FETCH_FAILED', `Cannot resolve ${shownHost(url)}.`), '', 0)
    )
  }
}

function toResponse(res: IncomingMessage): Response {
  const status = res.statusCode ?? 0
  if (status < 200 || status > 599) {
    res.destroy()
    throw new AppError('MEDIA_FETCH_FAILED', `The server answered with HTTP status ${status}.`)
  }
  const headers = new Headers()
  for (const [name, value] of Object.entries(res.headers)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, v)
  }
  if (NULL_BODY_STATUSES.has(status)) {
    res.resume()
    return new Response(null, { status, headers })
  }
  return new Response(Readable.toWeb(res) as ReadableStream<Uint8Array>, { status, headers })
}

/** one GET, no redirects followed; rejects with an AppError, never with a raw socket error */
function getOnce(url: URL, o: GuardOptions, signal: AbortSignal): Promise<Response> {
  assertFetchableUrl(url, o)
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest
  return new Promise((resolve, reject) => {
    let response: IncomingMessage | undefined
    const timedOut = (): AppError => new AppError('MEDIA_FETCH_FAILED', `Fetching ${shownHost(url)} timed out after ${o.timeoutMs} ms.`)
    const onAbort = (): void => {
      const err = timedOut()
      req.destroy(err)
      response?.destroy(err)
    }
    // agent: false, so no pooled socket opened under other options is reused
    const req = send(url, { method: 'GET', agent: false, lookup: vettedLookup(url, o), headers: { accept: '*/*', 'user-agent': 'whatsapp-mcp-stream' } })
    if (signal.aborted) onAbort()
    else signal.addEventListener('abort', onAbort, { once: true })
    req.on('error', (err) => {
      signal.removeEventListener('abort', onAbort)
      const code = (err as NodeJS.ErrnoException).code
      // socket errors name the resolved address and port; the caller gets the host it gave and the errno
      reject(err instanceof AppError ? err : new AppError('MEDIA_FETCH_FAILED', `Fetching ${shownHost(url)} failed${code ? ` (${code})` : ''}.`))
    })
    req.on('response', (res) => {
      response = res
      res.once('close', () => signal.removeEventListener('abort', onAbort))
      try {
        resolve(toResponse(res))
      } catch (err) {
        res.destroy()
        reject(err instanceof AppError ? err : new AppError('MEDIA_FETCH_FAILED', `${shownHost(url)} sent a response that cannot be read.`))
      }
    })
    req.end()
  })
}

/**
 * GETs `input` the way `fetch` would with `redirect: 'follow'`, but with every hop's connection checked:
 * unless `allowPrivate`, the socket only ever connects to public addresses (public-address.ts), at most
 * MAX_REDIRECTS redirects are followed, and `timeoutMs` bounds the whole exchange, the streamed body
 * included. Meant for every URL the server fetches for a caller: media_url now, a webhook sender or an
 * avatar fetch later (pass `label` so the refusal names the right parameter).
 *
 * Resolves with a Response whose body streams from the socket (any status 200-599; the caller checks
 * `ok`). Rejects with AppError: INVALID_INPUT (not http/https, user info), URL_FORBIDDEN (a hop's target
 * is not public; the message names only the host the caller or the redirect gave), MEDIA_FETCH_FAILED
 * (resolution, connection, TLS, timeout, too many or malformed redirects).
 */
export async function guardedFetch(input: URL, o: GuardOptions): Promise<Response> {
  const signal = AbortSignal.timeout(o.timeoutMs)
  let url = input
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const res = await getOnce(url, o, signal)
    const location = REDIRECT_STATUSES.has(res.status) ? res.headers.get('location') : null
    if (!location) return res
    await res.body?.cancel()
    try {
      url = new URL(location, url)
    } catch {
      throw new AppError('MEDIA_FETCH_FAILED', `${shownHost(url)} redirected to something that is not a URL.`)
    }
  }
  throw new AppError('MEDIA_FETCH_FAILED', `More than ${MAX_REDIRECTS} redirects.`)
}

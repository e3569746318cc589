// The SSRF rule for webhook URLs, at save time: the same judgement as every URL the server fetches
// (media/url-guard.ts, media/public-address.ts), in webhook codes and naming WEBHOOK_ALLOW_PRIVATE. The send
// time check is the guard's own socket lookup (sender.ts), since a name may resolve elsewhere later.
import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import { AppError } from '../errors/app-error.js'
import { assertFetchableUrl, type ResolvedAddress } from '../media/url-guard.js'
import { classifyAddress } from '../media/public-address.js'

export interface WebhookUrlOptions {
  allowPrivate: boolean
  /** name resolution; a test seam like the guard's */
  resolve?: (hostname: string) => Promise<ResolvedAddress[]>
}

const MAX_URL = 2048

const forbidden = (url: URL): AppError =>
  new AppError('WEBHOOK_URL_FORBIDDEN', `The webhook URL's host ${url.host} is not a public address; only public http and https receivers are allowed (WEBHOOK_ALLOW_PRIVATE=true allows private ones).`)

/**
 * Parses and checks a webhook URL. Throws WEBHOOK_URL_INVALID (not an absolute http(s) URL, user info, a
 * fragment, too long) or WEBHOOK_URL_FORBIDDEN (an IP literal, `localhost`, or a name that resolves now to
 * any non-public address, unless `allowPrivate`). A name that does not resolve is accepted: it may be
 * registered later, and every send checks again.
 */
export async function checkWebhookUrl(input: unknown, o: WebhookUrlOptions): Promise<URL> {
  if (typeof input !== 'string' || input.length === 0 || input.length > MAX_URL) throw new AppError('WEBHOOK_URL_INVALID', `The webhook URL must be a string of 1..${MAX_URL} characters.`)
  let url: URL
  try {
    url = new URL(input)
  } catch {
    throw new AppError('WEBHOOK_URL_INVALID', 'The webhook URL is not an absolute URL.')
  }
  if (url.hash) throw new AppError('WEBHOOK_URL_INVALID', 'The webhook URL must not have a #fragment.')
  try {
    assertFetchableUrl(url, { allowPrivate: o.allowPrivate, timeoutMs: 0, label: 'The webhook URL' })
  } catch (err) {
    const code = (err as AppError).code
    if (code === 'URL_FORBIDDEN') throw forbidden(url)
    throw new AppError('WEBHOOK_URL_INVALID', (err as Error).message)
  }
  if (o.allowPrivate || isIP(url.hostname.replace(/^\[|\]$/g, ''))) return url
  const found = await (o.resolve ?? ((h: string) => lookup(h, { all: true, verbatim: true })))(url.hostname).catch(() => [] as ResolvedAddress[])
  if (found.some((a) => !classifyAddress(a.address).public)) throw forbidden(url)
  return url
}

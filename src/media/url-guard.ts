// media_url fetches go to public addresses only (unless allowed): no loopback, private, link-local or
// metadata addresses, checked for the first URL and for every redirect.
import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import { AppError } from '../errors/app-error.js'

export function isPrivateAddress(ip: string): boolean {
  if (ip.startsWith('::ffff:')) return isPrivateAddress(ip.slice(7))
  if (isIP(ip) === 4) {
    const [a, b] = ip.split('.').map(Number) as [number, number]
    return a === 10 || a === 127 || a === 0 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || a >= 224
  }
  const v = ip.toLowerCase()
  return v === '::1' || v === '::' || v.startsWith('fe80') || v.startsWith('fc') || v.startsWith('fd')
}

export async function assertPublicUrl(url: URL): Promise<void> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new AppError('INVALID_INPUT', 'media_url must be http or https.')
  const host = url.hostname.replace(/^\[|\]$/g, '')
  let addresses: string[]
  try {
    addresses = isIP(host) ? [host] : (await lookup(host, { all: true })).map((a) => a.address)
  } catch {
    throw new AppError('MEDIA_FETCH_FAILED', `Cannot resolve ${host}.`)
  }
  if (addresses.some(isPrivateAddress)) throw new AppError('MEDIA_PATH_FORBIDDEN', `media_url points at a private or local address (${host}); set MEDIA_URL_ALLOW_PRIVATE=true to allow it.`)
}

/** fetch that re-checks every redirect target */
export async function guardedFetch(input: URL, allowPrivate: boolean, timeoutMs: number): Promise<Response> {
  let url = input
  const signal = AbortSignal.timeout(timeoutMs)
  for (let hops = 0; hops < 5; hops++) {
    if (!allowPrivate) await assertPublicUrl(url)
    const res = await fetch(url, { signal, redirect: 'manual' })
    const location = res.status >= 300 && res.status < 400 ? res.headers.get('location') : null
    if (!location) return res
    await res.body?.cancel()
    url = new URL(location, url)
  }
  throw new AppError('MEDIA_FETCH_FAILED', 'Too many redirects.')
}

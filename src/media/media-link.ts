// Signed /media links: what agents and exports hand out when ADMIN_TOKEN guards /media. A link names one
// file and an expiry and carries an HMAC-SHA256 of both under a key only this server holds, so it opens that
// file until then and nothing else. Pure apart from the clock the caller passes; the key lives in
// media-link-key.ts.
import { createHmac, timingSafeEqual } from 'node:crypto'

/** a path relative to MEDIA_DIR (decoded, `/`-separated) as a URL path under /media/ */
export const mediaUrlPath = (rel: string): string => `/media/${rel.split('/').map(encodeURIComponent).join('/')}`

const mac = (key: Uint8Array, rel: string, exp: number): Buffer => createHmac('sha256', key).update(`${rel}\n${exp}`).digest()

/** the query that signs `rel` until `exp` (unix seconds): `exp=...&sig=...` */
export function signQuery(key: Uint8Array, rel: string, exp: number): string {
  return `exp=${exp}&sig=${mac(key, rel, exp).toString('base64url')}`
}

export type LinkCheck = 'ok' | 'expired' | 'invalid'

/**
 * Checks a link's `exp` and `sig` for the decoded path `rel` at `nowMs`. The signature is compared in
 * constant time, and before the expiry, so a forged link never learns whether it would have expired.
 */
export function checkLink(key: Uint8Array, rel: string, exp: string | null, sig: string | null, nowMs: number): LinkCheck {
  if (!exp || !sig || !/^\d{1,12}$/.test(exp) || !/^[A-Za-z0-9_-]{43}$/.test(sig)) return 'invalid'
  const given = Buffer.from(sig, 'base64url')
  const want = mac(key, rel, Number(exp))
  if (given.length !== want.length || !timingSafeEqual(given, want)) return 'invalid'
  return Number(exp) * 1000 > nowMs ? 'ok' : 'expired'
}

export interface MediaLinkOptions {
  /** the runtime setting media_public_base_url, read at each call ('' = relative links) */
  baseUrl: () => string
  /** undefined when /media is open (no ADMIN_TOKEN): links are then plain */
  key: Uint8Array | undefined
  ttlMs: number
  now?: () => number
}

/** the links the server hands out for files under MEDIA_DIR */
export class MediaLinks {
  constructor(private readonly o: MediaLinkOptions) {}

  get signed(): boolean {
    return this.o.key !== undefined
  }

  /** the expiry (unix seconds) a link made now carries */
  expiry(): number {
    return Math.floor(((this.o.now ?? Date.now)() + this.o.ttlMs) / 1000)
  }

  /** a link's `exp` and `sig` for the decoded path `rel`; 'invalid' when links are not signed here */
  check(rel: string, exp: string | null, sig: string | null): LinkCheck {
    return this.o.key ? checkLink(this.o.key, rel, exp, sig, (this.o.now ?? Date.now)()) : 'invalid'
  }

  /** the key, for a pool task that builds links itself (the export); undefined when links are plain */
  get keyBytes(): Uint8Array | undefined {
    return this.o.key
  }

  /** `${base}/media/<rel>`, signed until now + ttl when /media needs auth */
  url(rel: string): string {
    const base = this.o.baseUrl().replace(/\/$/, '')
    const path = `${base}${mediaUrlPath(rel)}`
    return this.o.key ? `${path}?${signQuery(this.o.key, rel, this.expiry())}` : path
  }
}

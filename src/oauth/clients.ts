// Who a client_id names: a client that registered itself (RFC 7591, kept in the OAuth store), or the URL of
// a client ID metadata document, fetched through the SSRF guard (media/url-guard.ts) and cached briefly.
// The I/O shell around client-metadata.ts.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { guardedFetch } from '../media/url-guard.js'
import { AppError } from '../errors/app-error.js'
import { oauthError } from './oauth-error.js'
import { isDocumentClientId, parseClientMetadata, type OAuthClient } from './client-metadata.js'
import type { OAuthStore } from './oauth-store.js'

/** a metadata document is small; past this it is refused, and nothing more is read */
export const DOCUMENT_MAX_BYTES = 16 * 1024
const DOCUMENT_TIMEOUT_MS = 5_000
/** how long a fetched document is believed; a client that changes its redirect URIs waits this long */
const DOCUMENT_CACHE_MS = 5 * 60_000
const DOCUMENT_CACHE_MAX = 200
/** registrations taken per hour, from everyone together (registration is unauthenticated by design) */
export const REGISTRATIONS_PER_HOUR = 100

export interface ClientsOptions {
  store: OAuthStore
  /** OAUTH_CLIENT_METADATA_ALLOW_PRIVATE */
  allowPrivate: boolean
  maxClients: number
}

const hashSecret = (s: string): string => createHash('sha256').update(s).digest('base64url')

export class OAuthClients {
  private readonly documents = new Map<string, { client: OAuthClient; until: number }>()

  constructor(private readonly o: ClientsOptions) {}

  /**
   * RFC 7591 registration: returns the client and, for a confidential one, its secret (shown this once,
   * stored as a digest). Throws OAUTH_INVALID_REDIRECT_URI, OAUTH_INVALID_CLIENT_METADATA, OAUTH_TOO_MANY_CLIENTS.
   */
  register(body: Record<string, unknown>, now: number): { client: OAuthClient; secret?: string } {
    const counts = this.o.store.clientCounts(now - 3_600_000)
    if (counts.total >= this.o.maxClients || counts.recent >= REGISTRATIONS_PER_HOUR) throw oauthError('OAUTH_TOO_MANY_CLIENTS', 'Too many clients have registered; try again later or use a client ID metadata document.')
    const clientId = `wac_${randomBytes(16).toString('base64url')}`
    const parsed = parseClientMetadata(body, 'registered', clientId)
    const secret = parsed.authMethod === 'none' ? undefined : `wacs_${randomBytes(32).toString('base64url')}`
    const client: OAuthClient = { ...parsed, ...(secret ? { secretHash: hashSecret(secret) } : {}) }
    this.o.store.saveClient(client, now)
    return secret ? { client, secret } : { client }
  }

  /**
   * The client a client_id names. Throws OAUTH_INVALID_CLIENT: unknown, or a metadata document that cannot
   * be fetched (URL_FORBIDDEN for a private address is reported as such), is not JSON, is too large, or
   * does not name itself; OAUTH_INVALID_CLIENT_METADATA / OAUTH_INVALID_REDIRECT_URI for bad fields.
   */
  async resolve(clientId: string, now: number): Promise<OAuthClient> {
    if (clientId.length > 2000) throw oauthError('OAUTH_INVALID_CLIENT', 'The client_id is too long.')
    if (!isDocumentClientId(clientId)) {
      const c = this.o.store.client(clientId)
      if (!c) throw oauthError('OAUTH_INVALID_CLIENT', 'Unknown client_id; register first, or use the https URL of a client ID metadata document.')
      return c
    }
    const hit = this.documents.get(clientId)
    if (hit && hit.until > now) return hit.client
    const client = await this.fetchDocument(clientId)
    if (this.documents.size >= DOCUMENT_CACHE_MAX) this.documents.delete(this.documents.keys().next().value!)
    this.documents.set(clientId, { client, until: now + DOCUMENT_CACHE_MS })
    return client
  }

  /** the client a token or revocation request authenticates as; throws OAUTH_INVALID_CLIENT */
  async authenticate(clientId: string, secret: string | undefined, now: number): Promise<OAuthClient> {
    const c = await this.resolve(clientId, now)
    if (c.authMethod === 'none') return c
    const given = Buffer.from(hashSecret(secret ?? ''))
    const want = Buffer.from(c.secretHash ?? '')
    if (secret === undefined || given.length !== want.length || !timingSafeEqual(given, want)) throw oauthError('OAUTH_INVALID_CLIENT', 'Client authentication failed.')
    return c
  }

  private async fetchDocument(url: string): Promise<OAuthClient> {
    let res: Response
    try {
      res = await guardedFetch(new URL(url), { allowPrivate: this.o.allowPrivate, timeoutMs: DOCUMENT_TIMEOUT_MS, label: 'The client metadata document URL' })
    } catch (err) {
      // the guard's message names only the host the client gave, never an address it resolved to
      const why = err instanceof AppError && err.code === 'URL_FORBIDDEN' ? `The client metadata document's host ${new URL(url).host} is not a public address (OAUTH_CLIENT_METADATA_ALLOW_PRIVATE=true allows private ones).` : 'The client metadata document could not be fetched.'
      throw oauthError('OAUTH_INVALID_CLIENT', why)
    }
    if (!res.ok) {
      await res.body?.cancel()
      throw oauthError('OAUTH_INVALID_CLIENT', `The client metadata document answered HTTP ${res.status}.`)
    }
    const body = await readCapped(res)
    let doc: unknown
    try {
      doc = JSON.parse(body)
    } catch {
      throw oauthError('OAUTH_INVALID_CLIENT', 'The client metadata document is not JSON.')
    }
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw oauthError('OAUTH_INVALID_CLIENT', 'The client metadata document is not a JSON object.')
    const d = doc as Record<string, unknown>
    if (d.client_id !== url) throw oauthError('OAUTH_INVALID_CLIENT', 'The client metadata document does not name its own URL as client_id.')
    if ('client_secret' in d || 'client_secret_expires_at' in d) throw oauthError('OAUTH_INVALID_CLIENT_METADATA', 'A client metadata document must not carry a client secret.')
    return parseClientMetadata(d, 'document', url)
  }
}

/** the body as text, refused past DOCUMENT_MAX_BYTES without reading further */
async function readCapped(res: Response): Promise<string> {
  const reader = res.body?.getReader()
  if (!reader) return ''
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > DOCUMENT_MAX_BYTES) {
      await reader.cancel()
      throw oauthError('OAUTH_INVALID_CLIENT', `The client metadata document is larger than ${DOCUMENT_MAX_BYTES} bytes.`)
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks).toString('utf8')
}

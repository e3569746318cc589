// Webhook endpoints: their stored shape (in the settings file, key `webhooks`), what the API shows (never
// the secret, only whether it is set), and the checks of a create or an update. URLs are checked here, at
// save time, and again by the sender's socket lookup at each send.
import { z } from 'zod'
import { randomBytes } from 'node:crypto'
import { EVENT_KINDS } from '../store/event-log.js'
import { AppError } from '../errors/app-error.js'
import { generateSecret, secretKey, SECRET_MIN_BYTES } from './signature.js'
import { checkWebhookUrl, type WebhookUrlOptions } from './webhook-url.js'

/** endpoints at most: each has its cursor, its agent and its share of the sender */
export const MAX_ENDPOINTS = 20
const MAX_CHATS = 500

export const endpointSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/),
  url: z.string().max(2048),
  /** empty: every kind */
  kinds: z.array(z.enum(EVENT_KINDS)).max(EVENT_KINDS.length),
  /** canonical chat JIDs; empty: every chat */
  chats: z.array(z.string().max(200)).max(MAX_CHATS),
  secret: z.string().max(200),
  enabled: z.boolean(),
  description: z.string().max(200)
})
export type Endpoint = z.infer<typeof endpointSchema>
export type PublicEndpoint = Omit<Endpoint, 'secret'> & { secret_set: boolean }

export const toPublicEndpoint = ({ secret, ...rest }: Endpoint): PublicEndpoint => ({ ...rest, secret_set: secret.length > 0 })

/** what a create or an update may carry; `url` is checked apart (webhook-url.ts) */
const inputSchema = z
  .object({
    url: z.unknown(),
    kinds: z.array(z.string()).max(EVENT_KINDS.length * 2),
    chats: z.array(z.string().max(200)).max(MAX_CHATS),
    secret: z.string().max(200),
    enabled: z.boolean(),
    description: z.string().max(200)
  })
  .partial()
  .strict()

export interface EndpointChecks extends WebhookUrlOptions {
  /** a chat filter entry (JID or phone number) as the canonical JID, or null when it is not one */
  canonicalChat(input: string): string | null
}

function invalid(field: string, message: string): AppError {
  return new AppError('WEBHOOK_INVALID', `${field}: ${message}`, { fields: { [field]: message } })
}

/**
 * Applies a create (`prev` undefined) or an update to an endpoint and checks it. A create without a secret
 * gets a generated one (returned once, as `generatedSecret`); an update without one keeps the old.
 * Throws WEBHOOK_URL_INVALID, WEBHOOK_URL_FORBIDDEN or WEBHOOK_INVALID (with `fields`).
 */
export async function applyEndpointInput(input: unknown, prev: Endpoint | undefined, o: EndpointChecks): Promise<{ endpoint: Endpoint; generatedSecret?: string }> {
  const parsed = inputSchema.safeParse(input)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const field = String(issue.path[0] ?? (issue as { keys?: string[] }).keys?.[0] ?? 'body')
    throw invalid(field, issue.message)
  }
  const a = parsed.data
  if (!prev && a.url === undefined) throw new AppError('WEBHOOK_URL_INVALID', 'A webhook needs a url.')
  const url = a.url === undefined ? prev!.url : (await checkWebhookUrl(a.url, o)).href
  const unknownKinds = (a.kinds ?? []).filter((k) => !(EVENT_KINDS as readonly string[]).includes(k))
  if (unknownKinds.length) throw invalid('kinds', `unknown event kinds ${unknownKinds.join(', ')}; known: ${EVENT_KINDS.join(', ')}`)
  const chats = a.chats?.map((c) => {
    const jid = o.canonicalChat(c)
    if (!jid) throw invalid('chats', `${JSON.stringify(c.slice(0, 60))} is not a JID or a phone number`)
    return jid
  })
  if (a.secret !== undefined && secretKey(a.secret).length < SECRET_MIN_BYTES) throw invalid('secret', `must be at least ${SECRET_MIN_BYTES} bytes (a whsec_ secret: after base64 decoding)`)
  const generatedSecret = !prev && a.secret === undefined ? generateSecret() : undefined
  const endpoint: Endpoint = {
    id: prev?.id ?? `wh_${randomBytes(6).toString('hex')}`,
    url,
    kinds: a.kinds ? [...new Set(a.kinds)] as Endpoint['kinds'] : prev?.kinds ?? [],
    chats: chats ? [...new Set(chats)] : prev?.chats ?? [],
    secret: a.secret ?? generatedSecret ?? prev!.secret,
    enabled: a.enabled ?? prev?.enabled ?? true,
    description: a.description ?? prev?.description ?? ''
  }
  return { endpoint, generatedSecret }
}

/** whether an event of `kind` in `chat` goes to `e` */
export function endpointWants(e: Pick<Endpoint, 'kinds' | 'chats'>, kind: string, chat: string | null): boolean {
  if (e.kinds.length && !(e.kinds as readonly string[]).includes(kind)) return false
  if (e.chats.length && (chat === null || !e.chats.includes(chat))) return false
  return true
}

// /api/webhooks: endpoint CRUD, the delivery log and "send again", for the admin UI and scripts. Behind the
// same guard as every /api route (the caller passes its `authed`), and the front's same-origin rule.
import type { TemplatedApp } from '../uws.js'
import type { Handler } from '../router.js'
import { sendJson } from '../respond.js'
import { readBody } from '../read-body.js'
import type { Services } from '../../app/services.js'
import { AppError } from '../../errors/app-error.js'
import type { DeliveryStatus } from '../../webhooks/outbox.js'

type Authed = (h: Handler, opts?: { params?: number }) => ReturnType<typeof import('../router.js').wrap>

const BODY_MAX = 64 * 1024
const STATUSES: readonly DeliveryStatus[] = ['pending', 'delivered', 'dead']

async function json(body: Promise<Buffer>): Promise<unknown> {
  try {
    const text = (await body).toString('utf8')
    return text ? JSON.parse(text) : {}
  } catch {
    throw new AppError('INVALID_INPUT', 'The body must be a JSON object.')
  }
}

function webhooks(s: Services) {
  if (!s.webhooks) throw new AppError('SHUTTING_DOWN', 'Webhooks are not running.')
  return s.webhooks
}

const seqParam = (v: string): number => {
  const n = Number(v)
  if (!/^\d{1,15}$/.test(v) || !Number.isSafeInteger(n)) throw new AppError('INVALID_INPUT', 'The event id must be a positive integer.')
  return n
}

export function registerWebhookApi(app: TemplatedApp, s: Services, authed: Authed): void {
  app.get('/api/webhooks', authed((_r, res, st) => sendJson(res, st, 200, { endpoints: webhooks(s).list(), sent: webhooks(s).loop.stats })))
  app.post('/api/webhooks', authed((_r, res, st) => {
    const body = readBody(res, st, BODY_MAX)
    return (async () => sendJson(res, st, 201, await webhooks(s).create(await json(body))))()
  }))
  app.patch('/api/webhooks/:id', authed((r, res, st) => {
    const body = readBody(res, st, BODY_MAX)
    return (async () => sendJson(res, st, 200, { endpoint: await webhooks(s).update(decodeURIComponent(r.params[0]!), await json(body)) }))()
  }, { params: 1 }))
  app.del('/api/webhooks/:id', authed(async (r, res, st) => {
    await webhooks(s).remove(decodeURIComponent(r.params[0]!))
    sendJson(res, st, 200, { ok: true })
  }, { params: 1 }))

  // the delivery log: ?endpoint=&status=&before=<event id>&limit=
  app.get('/api/webhooks/deliveries', authed((r, res, st) => {
    const status = r.query.get('status') || undefined
    if (status && !STATUSES.includes(status as DeliveryStatus)) throw new AppError('INVALID_INPUT', `status must be one of ${STATUSES.join(', ')}.`)
    const before = r.query.get('before')
    const limitRaw = r.query.get('limit')
    const limit = limitRaw ? Number(limitRaw) : 100
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new AppError('INVALID_INPUT', 'limit must be an integer 1..500.')
    const rows = webhooks(s).deliveries({ endpointId: r.query.get('endpoint') || undefined, status: status as DeliveryStatus | undefined, before: before ? seqParam(before) : undefined, limit })
    sendJson(res, st, 200, { deliveries: rows, next_before: rows.length === limit ? rows.at(-1)!.seq : null })
  }))
  app.post('/api/webhooks/:id/deliveries/:seq/resend', authed((r, res, st) => {
    sendJson(res, st, 202, { delivery: webhooks(s).resend(decodeURIComponent(r.params[0]!), seqParam(r.params[1]!)) })
  }, { params: 2 }))
}

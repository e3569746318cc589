// /api/scheduled: the outbox for the admin UI and scripts: what waits (scheduled and paced, soonest first)
// and what went or stopped lately (newest first), and cancelling one. Behind the admin guard like every
// /api route (the caller passes its `authed`) and the front's same-origin rule.
import type { TemplatedApp } from '../uws.js'
import type { Handler } from '../router.js'
import { sendJson } from '../respond.js'
import type { Services } from '../../app/services.js'
import { AppError } from '../../errors/app-error.js'
import type { Outbox } from '../../outbox/outbox.js'
import { OUTBOX_KINDS } from '../../outbox/outbox-types.js'
import { toScheduled } from '../../outbox/entry-view.js'

type Authed = (h: Handler, opts?: { params?: number }) => ReturnType<typeof import('../router.js').wrap>

const LIMIT_MAX = 500
const ID = /^ob_[A-Za-z0-9_-]{1,40}$/

function outbox(s: Services): Outbox {
  if (!s.outbox) throw new AppError('SHUTTING_DOWN', 'The outbox is not running.')
  return s.outbox
}

const limitOf = (v: string | null, def: number): number => {
  if (v === null || v === '') return def
  const n = Number(v)
  if (!Number.isInteger(n) || n < 1 || n > LIMIT_MAX) throw new AppError('INVALID_INPUT', `limit must be an integer 1..${LIMIT_MAX}.`)
  return n
}

export function registerScheduledApi(app: TemplatedApp, s: Services, authed: Authed): void {
  // ?kind=scheduled|paced&limit= : { pending (soonest first), recent (newest first), counts }
  app.get('/api/scheduled', authed((r, res, st) => {
    const kind = r.query.get('kind') || undefined
    if (kind && !(OUTBOX_KINDS as readonly string[]).includes(kind)) throw new AppError('INVALID_INPUT', `kind must be one of ${OUTBOX_KINDS.join(', ')}.`)
    const limit = limitOf(r.query.get('limit'), 100)
    const box = outbox(s)
    const pending = box.list({ statuses: ['pending', 'sending'], kind, limit })
    const recent = box.list({ statuses: ['sent', 'cancelled', 'missed', 'failed'], kind, limit, newestFirst: true })
    sendJson(res, st, 200, { pending: pending.map(toScheduled), recent: recent.map(toScheduled), counts: box.counts(), since_start: box.stats })
  }))
  app.post('/api/scheduled/:id/cancel', authed((r, res, st) => {
    // ids are base64url: nothing to decode, and anything else is no entry of ours
    const id = r.params[0]!
    if (!ID.test(id)) throw new AppError('SCHEDULED_NOT_FOUND', 'No scheduled send with this id.')
    sendJson(res, st, 200, { entry: toScheduled(outbox(s).cancel(id)) })
  }, { params: 1 }))
}

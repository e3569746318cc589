// GET /healthz (public: 200 while working or inside the grace, 503 when stuck) and GET /api/status.
import type { Handler } from '../router.js'
import { sendJson } from '../respond.js'
import type { Services } from '../../app/services.js'
import { decideHealth } from '../../wa/health-policy.js'

export function healthRoute(s: Services): Handler {
  return (_r, res, st) => {
    const wa = s.wa.getStatus()
    const h = decideHealth(wa.state, wa.linked, s.wa.notReadySince, Date.now(), s.config.WA_READINESS_GRACE_MS)
    sendJson(res, st, h.ok ? 200 : 503, {
      status: h.ok ? 'ok' : 'unhealthy',
      reason: h.reason,
      state: wa.state,
      not_ready_for_ms: h.notReadyForMs,
      ...(wa.lastDisconnect ? { last_disconnect: wa.lastDisconnect } : {}),
      ...(s.wa.restarts.length ? { last_restart: s.wa.restarts.at(-1) } : {})
    })
  }
}

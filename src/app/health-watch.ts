// /healthz is computed when someone asks, so a flip to 503 would be seen only by the prober. This watch
// asks the same pure policy on a timer and the supervisor's state changes, and logs each flip once: a
// warn line when health turns 503 (with the reason and how long WhatsApp has not been ready), an info
// line when it is back.
import type { Logger } from 'pino'
import type { Config } from '../config/load-config.js'
import type { Supervisor } from '../wa/supervisor.js'
import { decideHealth } from '../wa/health-policy.js'

/** how often the grace deadline is checked: a flip to 'stuck' is logged within this */
const CHECK_EVERY_MS = 1000

/** Starts watching; the returned function stops it. Logs `healthz turned 503` and `healthz back to 200`. */
export function watchHealth(wa: Supervisor, config: Config, log: Logger): () => void {
  let ok = true
  const check = (): void => {
    const s = wa.getStatus()
    const h = decideHealth(s.state, s.linked, wa.notReadySince, Date.now(), config.WA_READINESS_GRACE_MS)
    if (h.ok === ok) return
    ok = h.ok
    if (!h.ok) log.warn({ reason: h.reason, state: s.state, not_ready_for_ms: h.notReadyForMs }, 'healthz turned 503')
    else log.info({ reason: h.reason, state: s.state }, 'healthz back to 200')
  }
  const timer = setInterval(check, CHECK_EVERY_MS)
  timer.unref()
  wa.on('status', check)
  return () => {
    clearInterval(timer)
    wa.off('status', check)
  }
}

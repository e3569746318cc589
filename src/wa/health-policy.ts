// What /healthz answers: pure, from the connection state and how long it has not been ready.

export type HealthReason = 'ready' | 'awaiting-qr' | 'starting' | 'recovering' | 'reconnecting' | 'replaced' | 'stuck'

export interface Health {
  ok: boolean
  reason: HealthReason
  /** how long the service has not been ready, ms (0 when ready) */
  notReadyForMs: number
}

export function decideHealth(state: string, linked: boolean, notReadySince: number | undefined, now: number, graceMs: number): Health {
  if (state === 'open') return { ok: true, reason: 'ready', notReadyForMs: 0 }
  const forMs = notReadySince === undefined ? 0 : now - notReadySince
  // waiting for a person to scan is working as intended, however long it takes
  if (!linked && (state === 'awaiting-qr' || state === 'logged-out')) return { ok: true, reason: 'awaiting-qr', notReadyForMs: forMs }
  if (state === 'replaced') return { ok: false, reason: 'replaced', notReadyForMs: forMs }
  if (forMs > graceMs) return { ok: false, reason: 'stuck', notReadyForMs: forMs }
  const reason: HealthReason = state === 'starting' || state === 'connecting' ? 'starting' : state === 'reconnecting' ? 'reconnecting' : 'recovering'
  return { ok: true, reason, notReadyForMs: forMs }
}

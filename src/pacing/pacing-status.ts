// What pacing shows: the `pacing` object of /api/status (and the admin UI's panel) and its /metrics lines.
// The queue is read from the outbox (its paced entries), so it is right after a restart too.
import type { Services } from '../app/services.js'
import type { PacingSnapshot } from './pacing.js'

/** the outbox as the status reads it (src/outbox/outbox.ts) */
interface CountedOutbox {
  counts(): Record<string, number>
  list(q: { statuses?: readonly string[]; kind?: string; limit: number }): Array<{ dueAt: number }>
}

export type PacingStatus = Omit<PacingSnapshot, 'queue'> & { queue: { length: number; next_send_at: number | null } }

/** /api/status's `pacing`: limits in force, warm-up, what is used of them, the queue; null without pacing */
export function pacingStatus(s: Services, now = Date.now()): PacingStatus | null {
  const pacing = s.pacing
  if (!pacing) return null
  const snap = pacing.snapshot(now)
  const outbox = (s as { outbox?: CountedOutbox }).outbox
  if (!outbox) return snap
  const counts = outbox.counts()
  const next = outbox.list({ statuses: ['pending'], kind: 'paced', limit: 1 })[0]
  return { ...snap, queue: { length: (counts.paced_pending ?? 0) + (counts.paced_sending ?? 0), next_send_at: next?.dueAt ?? null } }
}

/** the Prometheus lines of pacing (none without it) */
export function pacingMetrics(s: Services, now = Date.now()): string[] {
  const p = pacingStatus(s, now)
  if (!p) return []
  return [
    '# HELP pacing_enabled 1 when sends are held to the pacing limits.',
    '# TYPE pacing_enabled gauge',
    `pacing_enabled ${p.enabled ? 1 : 0}`,
    '# HELP pacing_sends_total Sends pacing decided on since the start, by what it told them (deferred: an outbox entry moved on when due).',
    '# TYPE pacing_sends_total counter',
    ...Object.entries(p.sends).map(([k, v]) => `pacing_sends_total{result="${k}"} ${v}`),
    '# HELP pacing_queue_length Sends queued by pacing in the outbox, waiting or going.',
    '# TYPE pacing_queue_length gauge',
    `pacing_queue_length ${p.queue.length}`,
    '# HELP pacing_queue_next_send_seconds Seconds until the next queued send is due (0 when none is queued or it is due).',
    '# TYPE pacing_queue_next_send_seconds gauge',
    `pacing_queue_next_send_seconds ${p.queue.next_send_at === null ? 0 : Math.max(0, (p.queue.next_send_at - now) / 1000)}`,
    '# HELP pacing_used Sends counted against the rolling limits now.',
    '# TYPE pacing_used gauge',
    ...Object.entries(p.used).map(([k, v]) => `pacing_used{limit="${k}"} ${v}`),
    '# HELP pacing_limit The limits in force (warm-up included; 0 = no limit).',
    '# TYPE pacing_limit gauge',
    ...Object.entries(p.limits).map(([k, v]) => `pacing_limit{limit="${k}"} ${v}`),
    '# HELP pacing_warmup_day The day of the warm-up of a newly linked account (0 when none is running).',
    '# TYPE pacing_warmup_day gauge',
    `pacing_warmup_day ${p.warm_up.active ? p.warm_up.day : 0}`
  ]
}

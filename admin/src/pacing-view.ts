// The pacing panel of the status view: the limits in force, the warm-up of a newly linked account, what is
// used of the limits now, and the queue of paced sends. Fed by the live status stream (/api/events).
import { $, esc, fmtDateTime } from './dom.js'

/** /api/status's `pacing` (src/pacing/pacing-status.ts) */
export interface PacingStatus {
  enabled: boolean
  over_limit: 'queue' | 'refuse'
  typing_presence: boolean
  limits: Record<string, number>
  warm_up: { active: boolean; day: number; days: number; ends_at: number | null; linked_at: number | null }
  used: { per_minute: number; per_day: number; new_chats_per_day: number }
  queue: { length: number; next_send_at: number | null }
  sends: Record<string, number>
  last_held_by: string | null
}

const cap = (n: number | undefined): string => (!n ? 'no limit' : String(n))
const secs = (ms: number | undefined): string => (!ms ? 'none' : `${(ms / 1000).toFixed(ms % 1000 ? 1 : 0)} s`)

/** the rows of the panel, as label and text (exported for the UI test's table) */
export function pacingRows(p: PacingStatus): Array<[string, string]> {
  if (!p.enabled) return [['Pacing', 'off: every send goes at once']]
  const l = p.limits
  const w = p.warm_up
  return [
    ['Pacing', `on; over a limit a send is ${p.over_limit === 'queue' ? 'queued' : 'refused (RATE_LIMITED)'}${p.typing_presence ? '; shows typing first' : ''}`],
    ['Warm-up', !w.days ? 'off' : w.active ? `day ${w.day} of ${w.days}, until ${fmtDateTime(w.ends_at)}` : w.linked_at === null ? `${w.days} days from the first link` : 'over'],
    ['Sends this minute', `${p.used.per_minute} of ${cap(l.per_minute)}`],
    ['Sends in 24 h', `${p.used.per_day} of ${cap(l.per_day)}`],
    ['New chats in 24 h', `${p.used.new_chats_per_day} of ${cap(l.new_chats_per_day)}`],
    ['Per chat', `gap ${secs(l.chat_min_gap_ms)}, ${cap(l.chat_per_minute)} a minute, ${cap(l.chat_per_hour)} an hour; jitter up to ${secs(l.jitter_ms)}`],
    ['Queued', p.queue.length ? `${p.queue.length}, next at ${fmtDateTime(p.queue.next_send_at)}` : 'none'],
    ['Since start', `${p.sends.immediate ?? 0} at once, ${p.sends.waited ?? 0} after a short wait, ${p.sends.queued ?? 0} queued, ${p.sends.refused ?? 0} refused`]
  ]
}

export function renderPacing(s: { pacing?: PacingStatus | null }): void {
  const panel = $('#pacing-panel')
  panel.hidden = !s.pacing
  if (s.pacing) $('#pacing-list').innerHTML = pacingRows(s.pacing).map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')
}

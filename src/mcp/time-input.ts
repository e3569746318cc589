// Time arguments: unix milliseconds or an ISO 8601 time. Agents often pass unix seconds (what most APIs
// and `date +%s` give); read as milliseconds that is January 1970, and a filter "after" it quietly matched
// everything while one "before" it gave an empty page that looked like the end of the history. A number
// that can only be seconds is refused with TIME_IN_SECONDS, naming the time it would be.
import { z } from 'zod'
import { AppError } from '../errors/app-error.js'

/**
 * Below this a number is not a plausible millisecond time of a WhatsApp message (1e11 ms is March 1973),
 * while as seconds it covers every date up to the year 5138.
 */
export const SECONDS_BELOW = 1e11

const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i

/** a time argument as the catalog shows it */
export const timeInput = (what: string) =>
  z.union([z.number(), z.string().max(40)]).describe(`${what}: ISO 8601 (no zone = UTC) or unix ms`)

/**
 * A time argument in unix ms; undefined stays undefined. 0 is the epoch (an "after: 0" means everything).
 * Errors: TIME_IN_SECONDS for a number that can only be seconds, TIME_INVALID for anything else unreadable.
 */
export function toMs(value: number | string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined
  if (typeof value === 'string' && /^\d+$/.test(value.trim())) value = Number(value.trim())
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) throw new AppError('TIME_INVALID', `${name}: ${value} is not a time; give unix milliseconds or an ISO 8601 time such as 2026-12-01T09:30:00Z.`, { argument: name })
    if (value > 0 && value < SECONDS_BELOW) {
      const asSeconds = new Date(value * 1000).toISOString()
      throw new AppError('TIME_IN_SECONDS', `${name}: ${value} looks like unix seconds (${asSeconds}); times here are unix milliseconds. Pass ${value * 1000} or "${asSeconds}".`, { argument: name, milliseconds: value * 1000 })
    }
    return value
  }
  const s = value.trim()
  const m = ISO.exec(s)
  // a zone written +0100 is spelled +01:00 for Date.parse; a time without a zone is UTC, not server time
  const iso = s.replace(' ', 'T').replace(/([+-]\d{2})(\d{2})$/, '$1:$2')
  const ms = m ? Date.parse(m[1] || !s.includes(':') ? iso : `${iso}Z`) : NaN
  if (!Number.isFinite(ms)) throw new AppError('TIME_INVALID', `${name}: "${s.slice(0, 40)}" is not an ISO 8601 time such as 2026-12-01 or 2026-12-01T09:30:00Z.`, { argument: name })
  return ms
}

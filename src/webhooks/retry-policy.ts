// When to try a webhook delivery again, and when to give up: a pure function of the attempt's outcome,
// the attempts so far and the delivery's age, so the schedule is tested without a clock or a socket.

export interface RetryPolicy {
  /** WEBHOOK_MAX_ATTEMPTS: attempts in all, the first included */
  maxAttempts: number
  /** WEBHOOK_MAX_AGE_HOURS in ms: no attempt is scheduled later than this after the event */
  maxAgeMs: number
  /** WEBHOOK_RETRY_BASE_MS: the wait after the first failure, doubled after each further one */
  baseMs: number
  /** WEBHOOK_RETRY_MAX_MS: the longest wait between two attempts */
  capMs: number
}

/** what one attempt came to: an HTTP status, or no answer at all (connection, timeout, refused address) */
export type AttemptOutcome = { status: number } | { error: string }

export type Decision =
  | { action: 'delivered' }
  | { action: 'retry'; at: number }
  | { action: 'dead'; reason: string }
  /** 410 Gone: the receiver says the endpoint is no more; it is disabled, the delivery is dead */
  | { action: 'disable'; reason: string }

/**
 * The wait before attempt `attempts + 1`: base * 2^(attempts-1), capped, with "equal jitter" (half fixed,
 * half random) so receivers that failed together do not get their retries back together. `rand` in [0, 1).
 */
export function backoffMs(p: RetryPolicy, attempts: number, rand: number): number {
  const exp = Math.min(p.capMs, p.baseMs * 2 ** Math.min(Math.max(attempts - 1, 0), 40))
  return Math.round(exp / 2 + (exp / 2) * rand)
}

/**
 * 2xx is delivered; 410 disables the endpoint; anything else (3xx included: redirects are not followed, a
 * webhook URL is configured, not discovered) is retried until `maxAttempts` or `maxAgeMs` is reached.
 * `attempts` counts the attempt just made; `createdAt` is when the delivery was queued.
 */
export function decide(p: RetryPolicy, outcome: AttemptOutcome, attempts: number, createdAt: number, now: number, rand: number): Decision {
  if ('status' in outcome && outcome.status >= 200 && outcome.status < 300) return { action: 'delivered' }
  const why = 'status' in outcome ? `HTTP ${outcome.status}` : outcome.error
  if ('status' in outcome && outcome.status === 410) return { action: 'disable', reason: `${why}: the receiver says the endpoint is gone; it was disabled` }
  if (attempts >= p.maxAttempts) return { action: 'dead', reason: `${why}; gave up after ${attempts} attempts` }
  const at = now + backoffMs(p, attempts, rand)
  if (at - createdAt > p.maxAgeMs) return { action: 'dead', reason: `${why}; gave up after ${Math.round((now - createdAt) / 60_000)} min (WEBHOOK_MAX_AGE_HOURS)` }
  return { action: 'retry', at }
}

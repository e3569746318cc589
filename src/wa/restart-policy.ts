// When to restart the WhatsApp worker after it died: pure, so the backoff is tested without threads.

export interface RestartPolicyOptions {
  baseDelayMs: number
  maxDelayMs: number
  /** restarts counted for backoff within this window */
  windowMs: number
  /** a worker that dies this many times in a row before its first heartbeat is not restarted again */
  maxBootFailures: number
}

export const DEFAULT_RESTART_POLICY: RestartPolicyOptions = { baseDelayMs: 250, maxDelayMs: 30_000, windowMs: 10 * 60_000, maxBootFailures: 5 }

export type RestartDecision = { action: 'restart'; delayMs: number } | { action: 'give-up'; reason: string }

/**
 * @param recentRestarts times of earlier restarts (ms)
 * @param bootFailures consecutive deaths before the worker ever reported a heartbeat
 */
export function decideRestart(recentRestarts: readonly number[], bootFailures: number, now: number, o: RestartPolicyOptions = DEFAULT_RESTART_POLICY): RestartDecision {
  if (bootFailures >= o.maxBootFailures) return { action: 'give-up', reason: `the worker died ${bootFailures} times while starting` }
  const inWindow = recentRestarts.filter((t) => now - t < o.windowMs).length
  return { action: 'restart', delayMs: inWindow === 0 ? 0 : Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** (inWindow - 1)) }
}

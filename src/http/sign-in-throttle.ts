// Throttling of admin-token guesses: the sign-in form and every wrong admin bearer header count. Pure: the
// decisions are functions of the state and the time given; the caller owns the clock and the state.
//
// Per client address, FREE_FAILURES wrong tokens are answered (a typo, a stale script); the last of them
// locks that address out for BASE_LOCK_MS, doubled by each further failure, up to MAX_LOCK_MS, so attempt
// FREE_FAILURES + 1 is refused unchecked. Everyone together gets GLOBAL_FREE_FAILURES per GLOBAL_WINDOW_MS,
// then the same doubling for all addresses at once: guesses spread over many addresses are slowed too. A
// success clears its address; failures are forgotten after FORGET_MS without one. A signed-in session cookie is never a guess, so a lockout never ends a session.

/** wrong tokens per address that are answered before the first lockout */
export const FREE_FAILURES = 5
/** the first lockout; each further failure doubles it */
export const BASE_LOCK_MS = 1_000
/** the longest lockout */
export const MAX_LOCK_MS = 15 * 60_000
/** failures from all addresses together within GLOBAL_WINDOW_MS before everyone is locked out */
export const GLOBAL_FREE_FAILURES = 100
export const GLOBAL_WINDOW_MS = 60_000
/** an address with no failure for this long starts again from nothing */
export const FORGET_MS = 60 * 60_000
/** addresses tracked at once; past it the one failing least recently is forgotten (bounded memory) */
export const MAX_TRACKED = 10_000

interface Failures {
  failures: number
  lastFailure: number
  lockedUntil: number
}

export interface ThrottleState {
  /** by client address, in order of last failure (Map order) */
  addresses: Map<string, Failures>
  global: Failures & { windowStart: number; windowFailures: number }
}

export const newThrottleState = (): ThrottleState => ({ addresses: new Map(), global: { failures: 0, lastFailure: 0, lockedUntil: 0, windowStart: 0, windowFailures: 0 } })

const lockFor = (failuresPast: number): number => Math.min(MAX_LOCK_MS, BASE_LOCK_MS * 2 ** Math.min(30, failuresPast - 1))

/** 0 when an attempt from `address` may be checked now, else how many ms it must wait */
export function waitMs(state: ThrottleState, address: string, now: number): number {
  const a = state.addresses.get(address)
  const own = a && now - a.lastFailure < FORGET_MS ? a.lockedUntil - now : 0
  return Math.max(0, own, state.global.lockedUntil - now)
}

/** records a wrong token from `address` */
export function recordFailure(state: ThrottleState, address: string, now: number): void {
  let a = state.addresses.get(address)
  if (a && now - a.lastFailure >= FORGET_MS) a = undefined
  a ??= { failures: 0, lastFailure: now, lockedUntil: 0 }
  a.failures++
  a.lastFailure = now
  if (a.failures >= FREE_FAILURES) a.lockedUntil = now + lockFor(a.failures - FREE_FAILURES + 1)
  state.addresses.delete(address)
  state.addresses.set(address, a)
  if (state.addresses.size > MAX_TRACKED) state.addresses.delete(state.addresses.keys().next().value!)

  const g = state.global
  if (now - g.windowStart >= GLOBAL_WINDOW_MS) {
    g.windowStart = now
    g.windowFailures = 0
    // a quiet window ends a global lockout streak
    if (now - g.lastFailure >= GLOBAL_WINDOW_MS) g.failures = 0
  }
  g.windowFailures++
  g.lastFailure = now
  if (g.windowFailures >= GLOBAL_FREE_FAILURES) g.lockedUntil = now + lockFor(++g.failures)
}

/** records a right token from `address`: its failures are forgotten (the global count is not) */
export function recordSuccess(state: ThrottleState, address: string): void {
  state.addresses.delete(address)
}

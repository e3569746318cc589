// Who may use the admin surface (/api/*, /admin's data, /metrics, /media when ADMIN_TOKEN is set): the
// admin bearer token, or the session cookie the sign-in form sets. Wrong tokens are throttled per client
// address and globally (sign-in-throttle.ts); the cookie holds a random session id, never the token, and is
// Secure when the request reached us over https through a proxy we are told to trust.
import type { HttpResponse } from './uws.js'
import type { RequestInfo } from './router.js'
import type { TokenGuard } from './auth.js'
import { AdminSessions } from './admin-sessions.js'
import { newThrottleState, recordFailure, recordSuccess, waitMs, type ThrottleState } from './sign-in-throttle.js'
import { AppError } from '../errors/app-error.js'

/** the cookie's name; the older `admin_token` cookie (which held the raw token) is no longer read */
export const SESSION_COOKIE = 'admin_session'

export interface AdminAuthOptions {
  guard: TokenGuard
  sessionTtlMs: number
  /** X-Forwarded-Proto and X-Forwarded-For come from a proxy we trust (TRUST_PROXY) */
  trustProxy: boolean
  now?: () => number
}

const unauthorized = (message = 'A valid admin token or sign-in is required.'): AppError => new AppError('UNAUTHORIZED', message, { wwwAuthenticate: 'Bearer realm="admin"' })

export class AdminAuth {
  readonly sessions: AdminSessions
  private readonly throttle: ThrottleState = newThrottleState()
  private readonly now: () => number

  constructor(private readonly o: AdminAuthOptions) {
    this.now = o.now ?? Date.now
    this.sessions = new AdminSessions(o.sessionTtlMs, this.now)
  }

  get enabled(): boolean {
    return this.o.guard.enabled
  }

  /** the client's address: the socket's peer, or the last hop a trusted proxy appended */
  address(r: RequestInfo, res: HttpResponse): string {
    const fwd = this.o.trustProxy ? r.headers['x-forwarded-for']?.split(',').at(-1)?.trim() : undefined
    return fwd || Buffer.from(res.getRemoteAddressAsText()).toString()
  }

  /**
   * Whether the browser reached us over https. The server itself speaks plain HTTP, so only a trusted
   * proxy's X-Forwarded-Proto (its first value: the hop nearest the browser) can say so.
   */
  https(r: RequestInfo): boolean {
    return this.o.trustProxy && r.headers['x-forwarded-proto']?.split(',')[0]?.trim().toLowerCase() === 'https'
  }

  sessionId(r: RequestInfo): string | undefined {
    return new RegExp(`(?:^|;\\s*)${SESSION_COOKIE}=([^;]*)`).exec(r.headers.cookie ?? '')?.[1]?.trim()
  }

  /** true for a request carrying a live session cookie (never a guess: no throttling involved) */
  signedIn(r: RequestInfo): boolean {
    return this.sessions.valid(this.sessionId(r))
  }

  /**
   * Lets the request through or throws: UNAUTHORIZED (with a challenge) without a session or a right
   * bearer token, SIGN_IN_THROTTLED while this address (or everyone) is locked out after wrong tokens.
   * Call synchronously in the route handler: it reads the peer address from `res`.
   */
  check(r: RequestInfo, res: HttpResponse): void {
    if (!this.enabled || this.signedIn(r)) return
    const bearer = /^Bearer\s+(.+)$/i.exec(r.headers.authorization ?? '')?.[1]?.trim()
    if (!bearer) throw unauthorized()
    this.verify(bearer, this.address(r, res))
  }

  /**
   * The sign-in form's token, checked as a bearer would be (from `address`, read by `address()` before the
   * body arrived); returns the Set-Cookie value of a new session.
   */
  signIn(token: string, r: RequestInfo, address: string): string {
    this.verify(token, address)
    return this.cookie(this.sessions.create(), r, Math.floor(this.o.sessionTtlMs / 1000))
  }

  /** sign-out: the session ends here, and the cookie that held it is cleared */
  signOut(r: RequestInfo): string {
    this.sessions.revoke(this.sessionId(r))
    return this.cookie('', r, 0)
  }

  private verify(token: string, address: string): void {
    const now = this.now()
    const wait = waitMs(this.throttle, address, now)
    if (wait > 0) {
      const retryAfter = Math.ceil(wait / 1000)
      throw new AppError('SIGN_IN_THROTTLED', `Too many wrong tokens; retry in ${retryAfter} s.`, { retry_after: retryAfter })
    }
    if (!this.o.guard.allows(`Bearer ${token}`)) {
      recordFailure(this.throttle, address, now)
      throw unauthorized('That admin token is not right.')
    }
    recordSuccess(this.throttle, address)
  }

  private cookie(value: string, r: RequestInfo, maxAgeS: number): string {
    return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${this.https(r) ? '; Secure' : ''}`
  }
}

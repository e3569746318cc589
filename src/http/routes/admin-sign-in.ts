// The admin sign-in: the form trades the admin token for a session cookie (HttpOnly, so EventSource and
// <img> requests carry it and scripts cannot read it), sign-out ends the session. Wrong tokens are throttled
// (429 SIGN_IN_THROTTLED with retry_after) by AdminAuth.
import type { TemplatedApp } from '../uws.js'
import { wrap } from '../router.js'
import { sendJson } from '../respond.js'
import { readBody, parseJsonObject } from '../read-body.js'
import type { AdminAuth } from '../admin-auth.js'
import { AppError } from '../../errors/app-error.js'
import type { Logger } from 'pino'

/** browsers that signed in before sessions existed hold the raw token in this cookie: it is cleared */
const CLEAR_OLD_COOKIE = 'admin_token=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0'

export function registerAdminSignIn(app: TemplatedApp, auth: AdminAuth, log: Logger): void {
  // whether the caller is signed in (the admin page asks on load)
  app.get('/api/auth', wrap((r, res, st) => {
    auth.check(r, res)
    sendJson(res, st, 200, { ok: true, required: auth.enabled })
  }, log))

  app.post('/api/login', wrap((r, res, st) => {
    const body = readBody(res, st, 4096)
    body.catch(() => undefined)
    // the peer address is read from res now: after an await the request may be gone
    const address = auth.address(r, res)
    return (async () => {
      const token = parseJsonObject(await body, 'Expected {"token": "..."}.').token
      if (typeof token !== 'string') throw new AppError('INVALID_INPUT', 'Expected {"token": "..."}.')
      if (!auth.enabled) return sendJson(res, st, 200, { ok: true, required: false })
      sendJson(res, st, 200, { ok: true }, { 'set-cookie': [auth.signIn(token, r, address), CLEAR_OLD_COOKIE] })
    })()
  }, log))

  // cross-site sign-ins and sign-outs never get here: the request policy (request-policy.ts) refuses them
  app.post('/api/sign-out', wrap((r, res, st) => {
    sendJson(res, st, 200, { ok: true }, { 'set-cookie': [auth.signOut(r), CLEAR_OLD_COOKIE] })
  }, log))
}

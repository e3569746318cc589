// The admin UI's files: HTML and CSS from admin/static, compiled modules from dist/admin. Served with
// cache headers and a strict content security policy (no inline scripts, nothing from other origins).
import { readFileSync, existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import type { TemplatedApp } from '../uws.js'
import { wrap } from '../router.js'
import { send } from '../respond.js'
import { AppError } from '../../errors/app-error.js'
import type { Logger } from 'pino'

// dist/src/http/routes -> the repository (or image) root
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url))
const STATIC = join(ROOT, 'admin', 'static')
const COMPILED = join(ROOT, 'dist', 'admin')
const CSP = "default-src 'self'; img-src 'self' data: blob: https:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

export function registerAdminStatic(app: TemplatedApp, log: Logger): void {
  // small and fixed at build time: read once
  const cache = new Map<string, { body: Buffer; type: string }>()
  const load = (name: string): { body: Buffer; type: string } | undefined => {
    const hit = cache.get(name)
    if (hit) return hit
    const path = name.endsWith('.js') ? join(COMPILED, name) : join(STATIC, name)
    if (!/^[a-z0-9-]+\.(js|css|html|svg)$/.test(name) || !existsSync(path)) return undefined
    const type = name.endsWith('.js') ? 'text/javascript; charset=utf-8' : name.endsWith('.css') ? 'text/css; charset=utf-8' : name.endsWith('.svg') ? 'image/svg+xml' : 'text/html; charset=utf-8'
    const entry = { body: readFileSync(path), type }
    cache.set(name, entry)
    return entry
  }
  const headers = (type: string, html: boolean) => ({
    'content-type': type,
    'cache-control': html ? 'no-cache' : 'public, max-age=300',
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'same-origin',
    'x-frame-options': 'DENY'
  })
  app.get('/', wrap((_r, res, st) => send(res, st, 302, '', { location: '/admin' }), log))
  // browsers ask for it on every page they open here, /healthz and /metrics included: the admin icon
  app.get('/favicon.ico', wrap((_r, res, st) => {
    const f = load('favicon.svg')
    if (!f) throw new AppError('NOT_FOUND', 'The admin UI is not built.')
    send(res, st, 200, f.body, headers(f.type, false))
  }, log))
  app.get('/admin', wrap((_r, res, st) => {
    const f = load('index.html')
    if (!f) throw new AppError('NOT_FOUND', 'The admin UI is not built.')
    send(res, st, 200, f.body, headers(f.type, true))
  }, log))
  app.get('/admin/:file', wrap((r, res, st) => {
    const f = load(r.params[0]!)
    if (!f) throw new AppError('NOT_FOUND', 'No such admin file.')
    send(res, st, 200, f.body, headers(f.type, false))
  }, log, 1))
}

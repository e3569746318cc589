// The uWebSockets.js front: the route table. Each route is a thin shell around a use-case.
import uws, { uwsNative, listenExclusive, type TemplatedApp, type us_listen_socket } from './uws.js'
import { wrap } from './router.js'
import { sendJson, sendError } from './respond.js'
import { mcpRoute } from './routes/mcp.js'
import { sendFault } from './routes/mcp-session.js'
import { ProtocolFault } from '../mcp/input.js'
import { TokenGuard } from './auth.js'
import { AdminAuth } from './admin-auth.js'
import { registerAdminSignIn } from './routes/admin-sign-in.js'
import { AppError } from '../errors/app-error.js'
import type { Services } from '../app/services.js'
import type { SessionRegistry } from '../mcp/sessions.js'
import type { Dispatcher } from '../mcp/dispatcher.js'
import { healthRoute } from './routes/health.js'
import { registerAdminApi } from './routes/api-admin.js'
import { mediaRoute } from './routes/media.js'
import { registerUpload } from './routes/upload.js'
import { registerAdminStatic } from './routes/admin-static.js'
import { metricsRoute } from './routes/metrics.js'
import { listenFailure } from './listen-failure.js'
import { StatelessRouter } from '../mcp/era-2026/stateless-router.js'
import { TaskStore, taskAnnouncer } from '../mcp/era-2026/task-store.js'
import { createSealer } from '../mcp/era-2026/sealed-state.js'
import { loadStateKey } from '../mcp/era-2026/state-key.js'
import { ServerEvents } from '../mcp/server-events.js'
import { sseEvent } from '../mcp/session.js'
import { policedApp, type RouteEntry } from './route-table.js'
import { Authenticator } from '../access/authenticate.js'
import { chatOfUri } from '../mcp/resources/whatsapp.js'
import { createOAuth } from '../oauth/oauth-service.js'
import { bearerChallenge } from '../oauth/metadata.js'
import { registerOAuth } from './routes/oauth.js'
import { registerOAuthConsent } from './routes/oauth-consent.js'

export interface HttpFront {
  port: number
  native: boolean
  /** every registered route, in registration order */
  routes: RouteEntry[]
  close(): void
}

export function startHttp(services: Services, sessions: SessionRegistry, dispatcher: Dispatcher, extraRoutes?: (app: TemplatedApp) => void): Promise<HttpFront> {
  const { config, log } = services
  // every route sits behind the Host and Origin policy (request-policy.ts)
  const { app, routes } = policedApp(uws.App(), { allowedHosts: config.httpHosts, mcpOrigins: config.MCP_ALLOWED_ORIGINS })
  // the static MCP_AUTH_TOKEN, then the named credentials, then services.access.verifiers (OAuth's)
  const oauth = createOAuth(config)
  // OAuth's access tokens join the chain after the static token and the credentials; its 401 points to the
  // protected resource metadata (RFC 9728)
  if (oauth) services.access?.verifiers.push(oauth.verifier)
  const mcpAuth = new Authenticator({
    staticTokens: config.MCP_AUTH_TOKEN,
    credentials: services.access?.credentials,
    verifiers: services.access?.verifiers ?? (oauth ? [oauth.verifier] : undefined),
    ...(oauth ? { oauthChallenge: (refused?: string) => bearerChallenge(oauth.urls, refused) } : {})
  })
  const adminGuard = new TokenGuard(config.ADMIN_TOKEN ? [config.ADMIN_TOKEN] : [], 'admin')
  const serverEvents = services.serverEvents ?? new ServerEvents()
  const adminAuth = new AdminAuth({ guard: adminGuard, sessionTtlMs: config.ADMIN_SESSION_TTL_MS, trustProxy: config.TRUST_PROXY })
  const mcp = wrap(
    mcpRoute({
      auth: mcpAuth,
      sessions,
      dispatcher,
      maxBodyBytes: config.MCP_MAX_BODY_MB * 1024 * 1024,
      preferSse: !config.MCP_HTTP_ENABLE_JSON_RESPONSE,
      log,
      stateless: { router: new StatelessRouter({ dispatcher, sealer: createSealer(loadStateKey(config.DATA_DIR)), services, tasks: new TaskStore(taskAnnouncer(serverEvents)) }), events: serverEvents, log, sees: (p, e) => {
        const access = dispatcher.chatAccess(p)
        const chat = chatOfUri(e.uri)
        return chat !== undefined ? access.sees(chat) : !e.chats || e.chats.some((c) => access.sees(c))
      } }
    }),
    log
  )
  app.post('/mcp', mcp).get('/mcp', mcp).del('/mcp', mcp)
  // 2025 sessions hear the same announcements as 2026 listen streams, for the resources they subscribed to
  serverEvents.listen((e) => {
    if (e.kind !== 'resourceUpdated' || e.sessionsTold) return
    const chat = chatOfUri(e.uri)
    for (const s of sessions.all()) if (s.subscriptions?.has(e.uri) && (chat === undefined || dispatcher.chatAccess(s.principal).sees(chat))) s.broadcast(sseEvent({ jsonrpc: '2.0', method: 'notifications/resources/updated', params: { uri: e.uri } }))
  })
  app.any('/mcp', wrap((_r, res, st) => sendFault(res, st, new ProtocolFault('METHOD_NOT_ALLOWED', 'Method not allowed: /mcp takes GET, POST and DELETE'), null, { allow: 'GET, POST, DELETE' }), log))
  app.get('/healthz', wrap(healthRoute(services), log))
  app.get('/metrics', wrap((r, res, st) => {
    adminAuth.check(r, res)
    return metricsRoute(services)(r, res, st)
  }, log))
  registerAdminSignIn(app, adminAuth, log)
  registerAdminApi(app, services, adminAuth)
  registerAdminStatic(app, log)
  registerUpload(app, services, adminAuth)
  if (oauth) {
    registerOAuth(app, oauth, log)
    registerOAuthConsent(app, oauth.server, oauth.store, adminAuth, log)
  }
  app.get('/media/*', wrap(mediaRoute(config.MEDIA_DIR, { auth: adminAuth, links: services.mediaLinks }), log))
  if (process.env.WA_WORKER_FAULTS === '1') {
    // test-only: the fault matrix crashes or blocks the WhatsApp worker through here
    app.post('/api/test/fault', wrap(async (r, res, st) => {
      adminAuth.check(r, res)
      const kind = r.query.get('kind')
      if (kind !== 'crash' && kind !== 'block') throw new AppError('INVALID_INPUT', 'kind must be crash or block')
      await services.wa.faultHook(kind, Number(r.query.get('ms') ?? 0))
      sendJson(res, st, 200, { ok: true })
    }, log))
  }
  extraRoutes?.(app)
  app.any('/*', wrap((r, res, st) => sendError(res, st, new AppError('NOT_FOUND', `No route ${r.method} ${r.path}.`)), log))

  return new Promise((resolve, reject) => {
    listenExclusive(app, config.HOST, config.PORT, (socket: us_listen_socket | false) => {
      if (!socket) {
        void listenFailure(config.HOST, config.PORT).then(reject)
        return
      }
      const port = uws.us_socket_local_port(socket)
      // one string, not an array: the logger keeps 50 items of an array, and the table is longer than that
      log.info({ routes: routes.map((r) => `${r.method} ${r.pattern}`).join(', ') }, 'http routes')
      resolve({ port, native: uwsNative, routes, close: () => uws.us_listen_socket_close(socket) })
    })
  })
}

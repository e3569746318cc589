// /api/* for the admin UI and scripts: status, QR, settings, actions, chats, messages, avatars, export.
// Every route here is behind ADMIN_TOKEN when it is set; Host and cross-site requests are judged before any
// route runs (request-policy.ts).
import { mkdtemp, rm, stat, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import QRCode from 'qrcode'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import type { TemplatedApp } from '../uws.js'
import { wrap, type Handler, type RequestInfo } from '../router.js'
import { send, sendJson } from '../respond.js'
import { readBody, parseJsonObject } from '../read-body.js'
import { contentDisposition } from '../header-values.js'
import { sendFile } from '../send-file.js'
import type { AdminAuth } from '../admin-auth.js'
import type { Services } from '../../app/services.js'
import { AppError } from '../../errors/app-error.js'
import { authStatus } from '../../mcp/auth-view.js'
import { toChat, toMessage } from '../../mcp/schemas.js'
import type { ExportResult } from '../../../workers/pool/export-zip.js'
import { mediaRelPath } from '../../media/media-paths.js'
import { decideHealth } from '../../wa/health-policy.js'
import { registerWebhookApi } from './api-webhooks.js'
import { registerAccessApi } from './api-access.js'
import { registerAuditApi } from './api-audit.js'
// scheduler: the outbox
import { registerScheduledApi } from './api-scheduled.js'
import { pacingStatus } from '../../pacing/pacing-status.js'
import { approvalEvents, registerApprovalsApi } from './api-approvals.js'

const exists = (p: string): Promise<boolean> => stat(p).then(() => true, () => false)

const int = (v: string | null, def: number, min: number, max: number): number => {
  if (v === null || v === '') return def
  const n = Number(v)
  if (!Number.isInteger(n) || n < min || n > max) throw new AppError('INVALID_INPUT', `Expected an integer ${min}..${max}, got "${v}".`)
  return n
}

export function registerAdminApi(app: TemplatedApp, s: Services, auth: AdminAuth): void {
  const log = s.log
  const statusBody = () => {
    const wa = s.wa.getStatus()
    const health = decideHealth(wa.state, wa.linked, s.wa.notReadySince, Date.now(), s.config.WA_READINESS_GRACE_MS)
    // one reading: each reads /proc and walks the heap's spaces
    const mem = process.memoryUsage()
    return {
      whatsapp: { ...authStatus(s), qr_available: !!wa.qr, qr_issued_at: wa.qr?.issuedAt ?? null, history: wa.history ?? null, restarts: s.wa.restarts.slice(-20), recovery: s.recovery?.snapshot() ?? null },
      health: { ok: health.ok, reason: health.reason },
      store: { ...s.chats.counts(), media_files: s.mediaStats?.files ?? 0, pending_writes: s.writes.pending, write_failures: s.writes.failures, dead_lettered: s.writes.deadLettered },
      mcp: { sessions: s.mcpSessionCount(), cache: s.mcpCacheStats?.() },
      events: s.eventStats?.() ?? null,
      audit: s.audit?.log.stats ?? null,
      pacing: pacingStatus(s),
      process: { uptime_ms: Date.now() - s.startedAt, rss: mem.rss, heap_used: mem.heapUsed, pool: s.pool.stats, writer: s.writerPool?.stats }
    }
  }
  // cross-site requests never get here: the request policy (request-policy.ts) refused them
  const authed = (h: Handler, opts: { params?: number } = {}) =>
    wrap((r, res, st) => {
      auth.check(r, res)
      return h(r, res, st)
    }, log, opts.params ?? 0)

  // live status for the admin page: pushed on every change, and every few seconds for the counters
  app.get('/api/events', authed((_r, res, st) => {
    const write = (): void => {
      if (st.aborted) return
      res.cork(() => res.write(`event: status\ndata: ${JSON.stringify(statusBody())}\n\n`))
    }
    res.cork(() => {
      res.writeStatus('200 OK')
      res.writeHeader('content-type', 'text/event-stream')
      res.writeHeader('cache-control', 'no-cache, no-transform')
      res.write(': open\n\n')
    })
    write()
    let pending: NodeJS.Timeout | undefined
    const onChange = (): void => {
      // coalesce bursts (history sync emits many) into one push
      pending ??= setTimeout(() => {
        pending = undefined
        write()
      }, 100)
    }
    s.wa.on('status', onChange)
    s.wa.on('restart', onChange)
    // approvals: each new or decided request, as it happens
    const stopApprovals = approvalEvents(s, (event, data) => {
      if (!st.aborted) res.cork(() => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`))
    })
    const tick = setInterval(write, 5000)
    const prev = st.onAbort
    st.onAbort = () => {
      prev?.()
      stopApprovals()
      clearInterval(tick)
      clearTimeout(pending)
      s.wa.off('status', onChange)
      s.wa.off('restart', onChange)
    }
  }))

  app.get('/api/chats/:jid/messages/:id/media', authed(async (r, res, st) => {
    const jid = s.contacts.canonical(r.params[0]!) ?? ''
    const id = r.params[1]!
    const msg = s.messages.get(id, jid)
    if (!msg?.media) throw new AppError('MEDIA_NOT_FOUND', 'That message has no media.')
    const target = join(s.config.MEDIA_DIR, mediaRelPath(jid, id, msg.media))
    if (!(await exists(target))) {
      await s.wa.waitReady(s.config.WA_SEND_READY_WAIT_MS)
      await s.wa.call('downloadMedia', { chatJid: jid, messageId: id, targetPath: target })
    }
    const type = typeof msg.media.mimetype === 'string' ? msg.media.mimetype.split(';')[0]! : 'application/octet-stream'
    const name = typeof msg.media.fileName === 'string' ? msg.media.fileName : target.split('/').pop()!
    await sendFile(res, st, target, { 'content-type': type, 'content-disposition': contentDisposition('attachment', name), 'x-content-type-options': 'nosniff' })
  }, { params: 2 }))

  app.get('/api/qr', authed(async (_r, res, st) => {
    const qr = s.wa.getStatus().qr
    if (!qr) return send(res, st, 204, '')
    const png = await QRCode.toBuffer(qr.value, { type: 'png', margin: 2, scale: 8 })
    send(res, st, 200, png, { 'content-type': 'image/png', 'cache-control': 'no-store', 'x-qr-issued-at': String(qr.issuedAt) })
  }))

  registerWebhookApi(app, s, authed)
  registerAccessApi(app, s, authed)
  registerAuditApi(app, s, authed)
  registerScheduledApi(app, s, authed)
  registerApprovalsApi(app, s, authed)

  app.get('/api/settings', authed((_r, res, st) => sendJson(res, st, 200, { settings: s.settings.public() })))
  app.post('/api/settings', authed((r, res, st) => {
    const body = readBody(res, st, 64 * 1024)
    return (async () => {
      const patch = parseJsonObject(await body, 'The body must be a JSON object.')
      sendJson(res, st, 200, { settings: await s.settings.update(patch) })
    })()
  }))

  app.post('/api/logout', authed(async (_r, res, st) => {
    if (!s.wa.getStatus().linked) throw new AppError('WA_NOT_LINKED', 'Not linked: nothing to log out.')
    await s.wa.call('logout')
    sendJson(res, st, 200, { ok: true })
  }))
  app.post('/api/restart-wa', authed(async (_r, res, st) => {
    void s.wa.restart('requested by the admin', { graceful: true })
    sendJson(res, st, 202, { ok: true, status: 'restarting' })
  }))
  app.post('/api/force-resync', authed(async (_r, res, st) => {
    await s.wa.waitReady(s.config.WA_SEND_READY_WAIT_MS)
    void s.wa.call('forceResync').catch((err: unknown) => log.warn({ err }, 'forced resync failed'))
    sendJson(res, st, 202, { ok: true, status: 'started' })
  }))
  app.post('/api/pairing-code', authed((r, res, st) => {
    const body = readBody(res, st, 4096)
    return (async () => {
      const phone = parseJsonObject(await body, 'Expected {"phone": "+..."}.', true).phone
      if (typeof phone !== 'string' || !/^\+?[0-9 ()-]{6,20}$/.test(phone)) throw new AppError('INVALID_INPUT', 'phone must be a phone number with country code.')
      sendJson(res, st, 200, { code: await s.wa.call('requestPairingCode', phone) })
    })()
  }))

  app.get('/api/chats', authed((r, res, st) => {
    const limit = int(r.query.get('limit'), 50, 1, 200)
    const page = s.chats.list({ limit, cursor: r.query.get('cursor') ?? undefined, query: r.query.get('q') ?? undefined })
    sendJson(res, st, 200, { chats: page.chats.map((c) => toChat(c)), next_cursor: page.next_cursor })
  }))
  app.get('/api/chats/:jid/messages', authed((r, res, st) => {
    const jid = s.contacts.canonical(r.params[0]!)
    if (!jid) throw new AppError('WA_JID_INVALID')
    const page = s.messages.list({ chatJid: jid, limit: int(r.query.get('limit'), 50, 1, 200), cursor: r.query.get('cursor') ?? undefined })
    sendJson(res, st, 200, { chat: s.chats.get(jid) ?? null, messages: page.messages.map(toMessage), next_cursor: page.next_cursor })
  }, { params: 1 }))
  app.get('/api/chats/:jid/messages/:id/thumbnail', authed(async (r, res, st) => {
    const jid = s.contacts.canonical(r.params[0]!) ?? ''
    const id = r.params[1]!
    let thumb: Uint8Array | undefined = s.messages.thumbnail(jid, id)
    if (!thumb) {
      // no preview in the message: make one (in the pool) from the file, when it has been downloaded
      const msg = s.messages.get(id, jid)
      if (!msg) throw new AppError('MEDIA_NOT_FOUND', 'No such message.')
      const file = msg.media ? join(s.config.MEDIA_DIR, mediaRelPath(jid, id, msg.media)) : undefined
      if (file && msg.type === 'image' && (await exists(file))) thumb = await s.pool.run<Uint8Array>('thumbnail', { input: new Uint8Array(await readFile(file)), width: 320 })
    }
    // a message without a preview is not an error: 204, as /api/qr without a QR (a 404 put one error per
    // picture in the admin page's console)
    if (!thumb) return send(res, st, 204, '', { 'cache-control': 'private, max-age=60' })
    send(res, st, 200, thumb, { 'content-type': 'image/jpeg', 'cache-control': 'private, max-age=86400' })
  }, { params: 2 }))
  app.get('/api/avatar/:jid', authed(async (r, res, st) => {
    const jid = s.contacts.canonical(r.params[0]!)
    if (!jid) throw new AppError('WA_JID_INVALID')
    const url = s.wa.getStatus().state === 'open' ? await s.wa.call('profilePictureUrl', jid) : null
    if (!url) throw new AppError('NOT_FOUND', 'No profile picture.')
    send(res, st, 302, '', { location: url, 'cache-control': 'private, max-age=3600' })
  }, { params: 1 }))

  app.get('/api/export/chat/:jid', authed(async (r, res, st) => {
    const jid = s.contacts.canonical(r.params[0]!)
    if (!jid) throw new AppError('WA_JID_INVALID')
    if (!s.chats.get(jid)) throw new AppError('CHAT_NOT_FOUND', `No chat with ${jid}.`)
    await s.writes.caughtUp()
    const dir = await mkdtemp(join(tmpdir(), 'wams-export-'))
    const outPath = join(dir, 'chat.zip')
    const base = s.settings.current().media_public_base_url.replace(/\/$/, '')
    const result = await s.pool.run<ExportResult>('exportZip', { dbPath: s.config.DB_PATH, chatJid: jid, includeMedia: r.query.get('include_media') === 'true', mediaDir: s.config.MEDIA_DIR, outPath, mediaBaseUrl: base, mediaLinkKey: s.mediaLinks.keyBytes, linkExpires: s.mediaLinks.expiry() })
    const safe = jid.replace(/[^0-9a-z@.-]/gi, '_')
    await sendFile(res, st, outPath, {
      'content-type': 'application/zip',
      'content-disposition': contentDisposition('attachment', `chat_${safe}.zip`),
      'x-export-messages': String(result.messages),
      'x-export-media': String(result.media)
    }, undefined, () => void rm(dir, { recursive: true, force: true }))
  }, { params: 1 }))

  // main-thread event-loop delay since the last ?reset=1 (the bench reads it around a load)
  const ELD_RESOLUTION_MS = 10
  const eld = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS })
  eld.enable()
  // the histogram holds the time between its samples, so an idle loop reads as the resolution: the delay is what lies past it
  const lateMs = (ns: number) => Math.max(0, ns / 1e6 - ELD_RESOLUTION_MS)
  app.get('/api/status', authed((r, res, st) => {
    // the bench asks for a collection before reading memory, when the server runs with --expose-gc
    if (r.query.get('gc') === '1') (globalThis as { gc?: () => void }).gc?.()
    const body = { ...statusBody(), event_loop: { p50_ms: lateMs(eld.percentile(50)), p99_ms: lateMs(eld.percentile(99)), max_ms: lateMs(eld.max) } }
    if (r.query.get('reset') === '1') eld.reset()
    sendJson(res, st, 200, body)
  }))
}

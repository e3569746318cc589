// The approval gate: a call the policy puts before a person waits here until the first of (1) the MCP
// client's own user, asked in-band (elicitation/create in 2025, input_required in 2026), (2) the admin UI
// or API, (3) the owner's own WhatsApp chat answers, or the timeout. The first decision wins; later ones
// are refused (decide() is false). Every request and decision is written to the approvals store and to the
// audit trail before anyone hears of it.
import { EventEmitter } from 'node:events'
import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import { AppError } from '../errors/app-error.js'
import { CallSuspended } from '../mcp/input.js'
import type { ToolContext } from '../mcp/tool.js'
import type { Principal } from '../access/principal.js'
import type { ChatPolicy } from '../access/chat-policy.js'
import type { AuditTrail } from '../audit/audit-trail.js'
import type { ApprovalDecision, ApprovalEvents, ApprovalGate, ApprovalRequest, OutgoingAction } from './approval-types.js'
import type { ApprovalStore } from './approval-store.js'
import { callKey, checkEdits, keptArgs, needsApproval, newCode, type ApprovalSetting } from './approval-policy.js'
import { clientDecision, elicitation } from './in-band.js'

/** how often a waiting 2025 call with a progress token hears that it still waits */
export const PROGRESS_EVERY_MS = 5_000
/** a decided request stays findable this long for the 2026 re-run that carries the client's answer */
const REJOIN_MS = 15 * 60_000

export interface ApprovalsDeps {
  store: ApprovalStore
  /** the runtime settings, read at each call */
  settings: () => { approval_required: ApprovalSetting; approval_timeout_s: number }
  chatPolicy: (jid: string) => ChatPolicy | undefined
  chatName: (jid: string) => string | undefined
  audit?: AuditTrail
  log: Logger
  now?: () => number
  /** PROGRESS_EVERY_MS unless a test wants it sooner */
  progressEveryMs?: number
}

interface Open {
  id: string
  /** a call waits on it now: a concurrent duplicate makes its own request instead of sharing */
  waiting: boolean
}

export class Approvals extends EventEmitter<ApprovalEvents> implements ApprovalGate {
  /** pending requests, and decided ones until their call has taken the outcome */
  private readonly live = new Map<string, ApprovalRequest>()
  private readonly byKey = new Map<string, Open>()
  private readonly timers = new Map<string, NodeJS.Timeout>()
  /** the calls waiting on each request (a map, not 'decided' listeners: thousands may wait at once) */
  private readonly waiting = new Map<string, Set<(r: ApprovalRequest) => void>>()
  private readonly now: () => number

  constructor(private readonly deps: ApprovalsDeps) {
    super()
    this.now = deps.now ?? Date.now
    if (deps.store.interrupted) deps.log.warn({ expired: deps.store.interrupted }, 'approval requests that waited when the server stopped are marked expired')
  }

  /** whether this principal's action waits for a person (see approval-policy.ts) */
  needs(principal: Principal, action: Pick<OutgoingAction, 'operation' | 'chatJid'>): boolean {
    return needsApproval({ operation: action.operation, global: this.deps.settings().approval_required, credential: principal.approval, chatPolicy: action.chatJid ? this.deps.chatPolicy(action.chatJid) : undefined })
  }

  async gate(ctx: ToolContext, action: OutgoingAction): Promise<Record<string, unknown>> {
    if (!this.needs(ctx.principal, action)) return action.args
    this.sweep()
    const key = callKey(ctx.principal.id, action.operation, action.chatJid, action.args)
    let open = this.byKey.get(key)
    if (open && !this.live.has(open.id)) {
      this.byKey.delete(key)
      open = undefined
    }
    let req = open && !open.waiting ? this.live.get(open.id) : undefined
    if (!req) {
      req = this.create(ctx.principal, action)
      if (!open) this.byKey.set(key, (open = { id: req.id, waiting: false }))
      // a concurrent duplicate of a waiting call: a request of its own, not found by the key
      else open = undefined
    }
    if (open) open.waiting = true
    let suspended = false
    try {
      const done = await this.wait(ctx, req)
      return this.outcome(done, action.args)
    } catch (err) {
      // a 2026 call stopped to ask its client: the re-run with the answer finds this request again
      if (err instanceof CallSuspended) {
        suspended = true
        if (open) open.waiting = false
      }
      throw err
    } finally {
      if (!suspended) {
        if (open && this.byKey.get(key) === open) this.byKey.delete(key)
        if (this.live.get(req.id)?.status !== 'pending') this.live.delete(req.id)
      }
    }
  }

  private create(p: Principal, action: OutgoingAction): ApprovalRequest {
    const now = this.now()
    let code = newCode()
    while (this.deps.store.codeTaken(code)) code = newCode()
    const chatName = action.chatJid ? this.deps.chatName(action.chatJid) : undefined
    const req: ApprovalRequest = {
      id: randomUUID(),
      code,
      operation: action.operation,
      chatJid: action.chatJid,
      ...(chatName ? { chatName } : {}),
      preview: action.preview,
      args: keptArgs(action.args),
      principal: { id: p.id, label: p.name },
      status: 'pending',
      requestedAt: now,
      expiresAt: now + this.deps.settings().approval_timeout_s * 1000
    }
    this.deps.store.add(req)
    this.live.set(req.id, req)
    const t = setTimeout(() => this.expire(req.id, `No decision within ${Math.round((req.expiresAt - req.requestedAt) / 1000)} s.`), req.expiresAt - now)
    t.unref()
    this.timers.set(req.id, t)
    this.deps.audit?.recordEvent('approval.requested', { name: p.name, kind: p.kind }, { tool: req.operation, chat_jid: req.chatJid, approval_id: req.id, code: req.code, ...previewDetails(req), expires_at: req.expiresAt }, now)
    this.emit('requested', { ...req })
    return req
  }

  /** waits for the decision, asking the client in-band where it can answer */
  private wait(ctx: ToolContext, req: ApprovalRequest): Promise<ApprovalRequest> {
    if (req.status !== 'pending') return Promise.resolve(req)
    // a 2026 client with the tasks extension polls from here instead of holding its request open
    ctx.detach()
    return new Promise<ApprovalRequest>((resolve, reject) => {
      let settled = false
      const stop = (): void => {
        settled = true
        const set = this.waiting.get(req.id)
        set?.delete(onDecided)
        if (set?.size === 0) this.waiting.delete(req.id)
        clearInterval(tick)
      }
      const onDecided = (r: ApprovalRequest): void => {
        if (settled) return
        stop()
        resolve(r)
      }
      let set = this.waiting.get(req.id)
      if (!set) this.waiting.set(req.id, (set = new Set()))
      set.add(onDecided)
      const tick = ctx.progressToken === undefined ? undefined : setInterval(() => {
        const total = req.expiresAt - req.requestedAt
        ctx.notify('notifications/progress', { progressToken: ctx.progressToken!, progress: Math.min(total, this.now() - req.requestedAt), total, message: `waiting for approval ${req.code}` })
      }, this.deps.progressEveryMs ?? PROGRESS_EVERY_MS)
      ctx.onCancel(() => {
        if (settled) return
        this.expire(req.id, 'The call that asked was cancelled.')
      })
      if (ctx.clientCan('elicitation/create')) {
        ctx.request('elicitation/create', elicitation(req), Math.max(1, req.expiresAt - this.now())).then(
          (answer) => {
            const d = clientDecision(answer, req)
            if (d && !settled) this.decide(req.id, d)
          },
          (err: unknown) => {
            if (err instanceof CallSuspended && !settled) {
              stop()
              reject(err)
            } else if (!settled) this.deps.log.debug({ err, approval: req.id }, 'the client did not answer the approval in-band; the other ways remain')
          }
        )
      }
    })
  }

  private outcome(req: ApprovalRequest, args: Record<string, unknown>): Record<string, unknown> {
    const data = { approval_id: req.id, code: req.code, decided_by: req.decidedBy ?? null, note: req.note ?? null }
    if (req.status === 'approved') return req.editedArgs ? { ...args, ...req.editedArgs } : args
    if (req.status === 'rejected') throw new AppError('APPROVAL_REJECTED', `The ${req.operation} was rejected${req.note ? `: ${req.note}` : ' (no note given)'}; nothing was sent or changed.`, data)
    throw new AppError('APPROVAL_TIMEOUT', `${req.note ?? 'No decision in time.'} The ${req.operation} was not made; try again later or ask for a decision in the admin UI.`, data)
  }

  decide(id: string, decision: ApprovalDecision): boolean {
    const req = this.live.get(id)
    if (!req || req.status !== 'pending') return false
    let edited: Record<string, unknown> | undefined
    if (decision.approve && decision.args && Object.keys(decision.args).length) {
      const bad = checkEdits(req.operation, decision.args)
      if (bad) throw new AppError('INVALID_INPUT', bad)
      edited = decision.args
    }
    const note = typeof decision.note === 'string' && decision.note.trim() ? decision.note.trim().slice(0, 1000) : undefined
    this.settle(req, decision.approve ? 'approved' : 'rejected', decision.by, note, edited)
    return true
  }

  private expire(id: string, note: string): void {
    const req = this.live.get(id)
    if (req?.status === 'pending') this.settle(req, 'expired', undefined, note)
  }

  private settle(req: ApprovalRequest, status: ApprovalRequest['status'], by: ApprovalDecision['by'] | undefined, note?: string, edited?: Record<string, unknown>): void {
    req.status = status
    req.decidedAt = this.now()
    if (by) req.decidedBy = by
    if (note) req.note = note
    if (edited) req.editedArgs = edited
    clearTimeout(this.timers.get(req.id))
    this.timers.delete(req.id)
    this.deps.store.settle(req)
    const actor = by === 'client' ? { name: req.principal.label, kind: 'client' } : by ? { name: by === 'admin' ? 'admin' : 'owner chat', kind: by } : { name: 'timeout', kind: 'timeout' }
    this.deps.audit?.recordEvent('approval.decided', actor, { tool: req.operation, chat_jid: req.chatJid, approval_id: req.id, code: req.code, decision: status, ...(note ? { note } : {}), ...(edited ? { edited: Object.keys(edited), ...edited } : {}) }, req.decidedAt)
    for (const wake of [...(this.waiting.get(req.id) ?? [])]) wake(req)
    this.emit('decided', { ...req })
  }

  /** forgets decided requests no re-run came back for */
  private sweep(): void {
    const cutoff = this.now() - REJOIN_MS
    for (const [id, r] of this.live) if (r.status !== 'pending' && (r.decidedAt ?? 0) < cutoff) this.live.delete(id)
    for (const [key, o] of this.byKey) {
      const r = this.live.get(o.id)
      if (!r || (r.status !== 'pending' && (r.decidedAt ?? 0) < cutoff && !o.waiting)) {
        this.byKey.delete(key)
        if (r && r.status !== 'pending') this.live.delete(o.id)
      }
    }
  }

  get(idOrCode: string): ApprovalRequest | undefined {
    const mine = this.live.get(idOrCode)
    if (mine) return { ...mine }
    return this.deps.store.get(idOrCode) ?? (/^[A-Za-z0-9]{4,6}$/.test(idOrCode) ? this.deps.store.byCode(idOrCode) : undefined)
  }

  list(limit = 50): ApprovalRequest[] {
    return this.deps.store.list(limit)
  }

  /** the pending count, for the admin UI's badge */
  get pending(): number {
    let n = 0
    for (const r of this.live.values()) if (r.status === 'pending') n++
    return n
  }

  close(): void {
    for (const t of this.timers.values()) clearTimeout(t)
    this.timers.clear()
  }
}

/** the request's texts for the audit record (kept or elided by the audit_bodies setting, as arguments are) */
function previewDetails(req: ApprovalRequest): Record<string, unknown> {
  const p = req.preview
  return { summary: p.summary, ...(p.text ? { message: p.text } : {}), ...(p.caption ? { caption: p.caption } : {}), ...(p.media?.fileName ? { file_name: p.media.fileName } : {}) }
}

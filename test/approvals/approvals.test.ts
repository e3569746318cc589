// The decision race of the approval gate on a real approvals file and a real audit trail, driven through
// the ToolContext a tool gets (the transport is the seam; the end-to-end tests drive the same race over
// HTTP): the first decision wins, a rejection carries the note, silence times out, an edit comes back, a
// 2026 call run again with its answer finds its request instead of making a second one, a cancelled call
// withdraws its request, a waiting call streams progress, and a restart expires what waited.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { Approvals } from '../../src/approvals/approvals.js'
import { ApprovalStore, RESTART_NOTE } from '../../src/approvals/approval-store.js'
import { previewOf } from '../../src/approvals/approval-policy.js'
import { AuditLog } from '../../src/audit/audit-log.js'
import { AuditTrail } from '../../src/audit/audit-trail.js'
import { CallSuspended } from '../../src/mcp/input.js'
import type { ToolContext } from '../../src/mcp/tool.js'
import type { Principal } from '../../src/access/principal.js'
import type { AppError } from '../../src/errors/app-error.js'
import type { ApprovalSetting } from '../../src/approvals/approval-policy.js'

const ADA = '447700900001@s.whatsapp.net'
const AGENT: Principal = { id: 'cred:agent', kind: 'credential', name: 'agent', toolsets: new Set(['send']), chats: { mode: 'all' }, approval: 'sends' }
const FREE: Principal = { ...AGENT, id: 'cred:free', approval: undefined }

function setup(opts: { timeoutS?: number; global?: ApprovalSetting; dir?: string } = {}) {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'approvals-'))
  const store = new ApprovalStore(join(dir, 'approvals.sqlite'))
  const log = new AuditLog(join(dir, 'audit.sqlite'), { flushMs: 50, retentionDays: 90 })
  const settings = { approval_required: opts.global ?? 'off', approval_timeout_s: opts.timeoutS ?? 600 }
  const gate = new Approvals({ store, settings: () => settings, chatPolicy: () => undefined, chatName: () => 'Ada', audit: new AuditTrail(log, () => true), log: pino({ level: 'silent' }), progressEveryMs: 20 })
  return { dir, store, log, gate, settings, close: () => (gate.close(), store.close(), log.close()) }
}

interface Seen {
  asked: number
  notes: Array<Record<string, unknown>>
  detached: number
  cancel?: () => void
}

/** what a tool's call gives the gate; `answer` is the client's user (undefined: the client cannot elicit) */
function ctxOf(principal: Principal, answer?: () => Promise<Record<string, unknown>>, progressToken?: string): { ctx: ToolContext; seen: Seen } {
  const seen: Seen = { asked: 0, notes: [], detached: 0 }
  const ctx = {
    principal,
    progressToken,
    notify: (method: string, params: Record<string, unknown>) => void seen.notes.push({ method, ...params }),
    onCancel: (fn: () => void) => void (seen.cancel = fn),
    clientCan: () => answer !== undefined,
    request: () => {
      seen.asked++
      return answer!()
    },
    detach: () => void seen.detached++
  } as unknown as ToolContext
  return { ctx, seen }
}

const send = (message: string) => {
  const args = { recipient_jid: ADA, message }
  return { operation: 'send_message', chatJid: ADA, args, preview: previewOf('send_message', args, 'Ada') }
}
const codeOf = async (p: Promise<unknown>): Promise<AppError> => p.then(() => assert.fail('expected an error'), (e: AppError) => e)
const pendingOf = (gate: Approvals) => gate.list().filter((r) => r.status === 'pending')

test('a call no policy holds goes on at once; a held one waits and the first decision wins', async () => {
  const t = setup()
  try {
    assert.deepEqual(await t.gate.gate(ctxOf(FREE).ctx, send('free')), send('free').args)
    assert.equal(t.gate.list().length, 0)
    const { ctx, seen } = ctxOf(AGENT)
    const heard: string[] = []
    t.gate.on('requested', (r) => heard.push(`requested ${r.code}`))
    t.gate.on('decided', (r) => heard.push(`decided ${r.status} by ${r.decidedBy}`))
    const waiting = t.gate.gate(ctx, send('held'))
    const [req] = pendingOf(t.gate)
    assert.ok(req)
    assert.equal(seen.detached, 1, 'a task-capable call may detach before it waits')
    assert.equal(t.gate.decide(req.id, { approve: true, by: 'admin' }), true)
    assert.equal(t.gate.decide(req.id, { approve: false, note: 'too late', by: 'owner_chat' }), false, 'the second decision loses')
    assert.deepEqual(await waiting, send('held').args)
    assert.deepEqual(heard, [`requested ${req.code}`, 'decided approved by admin'])
    const stored = t.store.get(req.id)!
    assert.equal(stored.status, 'approved')
    assert.equal(stored.decidedBy, 'admin')
    assert.equal(t.gate.get(req.code.toLowerCase())?.id, req.id, 'found by its code, case ignored')
  } finally {
    t.close()
  }
})

test('a rejection fails the call with the note; an edit comes back as the arguments to send; both are in the audit trail', async () => {
  const t = setup()
  try {
    const rejected = t.gate.gate(ctxOf(AGENT).ctx, send('rude words'))
    t.gate.decide(pendingOf(t.gate)[0]!.id, { approve: false, note: 'not in that tone', by: 'admin' })
    const err = await codeOf(rejected)
    assert.equal(err.code, 'APPROVAL_REJECTED')
    assert.match(err.message, /not in that tone/)
    assert.equal((err.data as { note: string }).note, 'not in that tone')

    const edited = t.gate.gate(ctxOf(AGENT).ctx, send('helo'))
    const req = pendingOf(t.gate)[0]!
    assert.throws(() => t.gate.decide(req.id, { approve: true, args: { recipient_jid: 'x@s.whatsapp.net' }, by: 'admin' }), /only message/)
    t.gate.decide(req.id, { approve: true, args: { message: 'hello' }, by: 'admin' })
    assert.deepEqual(await edited, { recipient_jid: ADA, message: 'hello' })
    const kinds = t.log.query({ limit: 10 }).map((r) => [r.kind, r.details.decision ?? null, r.details.note ?? null])
    assert.deepEqual(kinds.reverse(), [['approval.requested', null, null], ['approval.decided', 'rejected', 'not in that tone'], ['approval.requested', null, null], ['approval.decided', 'approved', null]])
  } finally {
    t.close()
  }
})

test('nobody decides: APPROVAL_TIMEOUT after the setting, and the request is expired', async () => {
  const t = setup({ timeoutS: 1 })
  try {
    const { ctx, seen } = ctxOf(AGENT, undefined, 'tok-1')
    const err = await codeOf(t.gate.gate(ctx, send('anyone there?')))
    assert.equal(err.code, 'APPROVAL_TIMEOUT')
    assert.equal(t.gate.list()[0]!.status, 'expired')
    assert.ok(seen.notes.some((n) => n.method === 'notifications/progress' && n.progressToken === 'tok-1' && n.total === 1000), 'progress while it waited')
  } finally {
    t.close()
  }
})

test('2026: the call stops for the client\'s answer, and the run with the answer finds the same request', async () => {
  const t = setup()
  try {
    const first = ctxOf(AGENT, () => Promise.reject(new CallSuspended({ 'elicitation/create': { method: 'elicitation/create', params: {} } })))
    const suspended = await t.gate.gate(first.ctx, send('to approve in-band')).then(() => undefined, (e: unknown) => e)
    assert.ok(suspended instanceof CallSuspended, 'the suspension goes through to the transport')
    assert.equal(pendingOf(t.gate).length, 1, 'the request stays, pending, visible in the queue')
    const again = ctxOf(AGENT, async () => ({ action: 'accept', content: { approve: true, message: 'approved in-band, edited' } }))
    assert.deepEqual(await t.gate.gate(again.ctx, send('to approve in-band')), { recipient_jid: ADA, message: 'approved in-band, edited' })
    assert.equal(t.gate.list().length, 1, 'never a second request')
    assert.equal(t.gate.list()[0]!.decidedBy, 'client')

    // decided in the admin UI between the rounds: the re-run takes that decision without asking again
    const round1 = ctxOf(AGENT, () => Promise.reject(new CallSuspended({})))
    await t.gate.gate(round1.ctx, send('decided between rounds')).catch(() => undefined)
    t.gate.decide(pendingOf(t.gate)[0]!.id, { approve: false, note: 'no', by: 'admin' })
    const round2 = ctxOf(AGENT, async () => ({ action: 'accept', content: { approve: true } }))
    assert.equal((await codeOf(t.gate.gate(round2.ctx, send('decided between rounds')))).code, 'APPROVAL_REJECTED')
    assert.equal(round2.seen.asked, 0)
    // and the same call once more is a new request: an approval is used once
    const third = t.gate.gate(ctxOf(AGENT).ctx, send('decided between rounds'))
    assert.equal(pendingOf(t.gate).length, 1)
    t.gate.decide(pendingOf(t.gate)[0]!.id, { approve: true, by: 'admin' })
    await third
    assert.equal(t.gate.list().length, 3)
  } finally {
    t.close()
  }
})

test('2025: the client\'s user declines in-band; dismissing the question leaves the other ways open', async () => {
  const t = setup()
  try {
    const declined = ctxOf(AGENT, async () => ({ action: 'decline' }))
    assert.equal((await codeOf(t.gate.gate(declined.ctx, send('declined')))).code, 'APPROVAL_REJECTED')
    const dismissed = ctxOf(AGENT, async () => ({ action: 'cancel' }))
    const waiting = t.gate.gate(dismissed.ctx, send('dismissed'))
    await new Promise((r) => setTimeout(r, 50))
    assert.equal(pendingOf(t.gate).length, 1)
    t.gate.decide(pendingOf(t.gate)[0]!.id, { approve: true, by: 'owner_chat' })
    assert.deepEqual(await waiting, send('dismissed').args)
  } finally {
    t.close()
  }
})

test('a cancelled call withdraws its request; a restart expires what still waited, with the reason', async () => {
  const t = setup()
  const { ctx, seen } = ctxOf(AGENT)
  const waiting = t.gate.gate(ctx, send('cancel me'))
  seen.cancel!()
  assert.equal((await codeOf(waiting)).code, 'APPROVAL_TIMEOUT')
  assert.match(t.gate.list()[0]!.note!, /cancelled/)
  void t.gate.gate(ctxOf(AGENT).ctx, send('cut by a restart')).catch(() => undefined)
  t.close()
  const again = setup({ dir: t.dir })
  try {
    assert.equal(again.store.interrupted, 1)
    const r = again.gate.list().find((x) => x.preview.text === 'cut by a restart')!
    assert.equal(r.status, 'expired')
    assert.equal(r.note, RESTART_NOTE)
    assert.equal(again.gate.decide(r.id, { approve: true, by: 'admin' }), false)
  } finally {
    again.close()
  }
})

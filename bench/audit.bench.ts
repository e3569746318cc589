// What the audit trail costs the main thread per recorded tools/call: the policy (elision, chats and ids),
// the buffer, and the SQLite write into a real file: for reads one transaction per batch, for changes
// (sends) one transaction each, committed before the reply. Self-only: no server, no client, so the figure
// is the trail's own time, which the dispatcher adds to every audited call.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AuditLog } from '../src/audit/audit-log.js'
import { AuditTrail } from '../src/audit/audit-trail.js'
import type { ObservedCall } from '../src/mcp/call-observer.js'
import { fmt } from './lib.js'

export interface AuditFigures {
  calls: number
  /** µs of main-thread time per read call recorded (batched writes included) */
  readUs: number
  /** µs per change recorded, each committed on its own before the reply */
  sendUs: number
  /** the same as CPU time (user + system) of this process: what a loaded machine disturbs less */
  readCpuUs: number
  sendCpuUs: number
}

const principal = { id: 'cred:1', kind: 'credential', name: 'agent one', toolsets: 'all', chats: { mode: 'all' } } as const

const read = (i: number): ObservedCall => ({
  tool: 'list_messages',
  args: { chat_id: `4915${100000 + (i % 500)}@s.whatsapp.net`, limit: 50, cursor: 'c1_'.padEnd(120, 'x'), include_media: false },
  outcome: 'ok',
  startedAt: Date.now(),
  durationMs: 0.4,
  readOnly: true,
  principal,
  clientName: 'bench-client'
})

const send = (i: number): ObservedCall => ({
  tool: 'send_message',
  args: { recipient_jid: `4915${100000 + (i % 500)}@s.whatsapp.net`, message: 'a sentence of ordinary length for a message sent by an agent', idempotency_key: `k${i}` },
  result: { success: true, message_id: `4915${100000 + (i % 500)}@s.whatsapp.net:3EB0${i.toString(16).padStart(16, '0')}`, chat_jid: `4915${100000 + (i % 500)}@s.whatsapp.net` },
  outcome: 'ok',
  startedAt: Date.now(),
  durationMs: 1.3,
  readOnly: false,
  principal,
  clientName: 'bench-client'
})

/** wall and CPU µs per call of `fn` */
function timeUs(n: number, fn: (i: number) => void): { wall: number; cpu: number } {
  const c0 = process.cpuUsage()
  const t0 = process.hrtime.bigint()
  for (let i = 0; i < n; i++) fn(i)
  const c = process.cpuUsage(c0)
  return { wall: Number(process.hrtime.bigint() - t0) / 1000 / n, cpu: (c.user + c.system) / n }
}

export function benchAudit(calls = 50_000): AuditFigures {
  const dir = mkdtempSync(join(tmpdir(), 'bench-audit-'))
  const log = new AuditLog(join(dir, 'audit.sqlite'), { flushMs: 200, retentionDays: 90 })
  const trail = new AuditTrail(log, () => false)
  // warm the statements and the JIT
  for (let i = 0; i < 2000; i++) trail.toolCalled(read(i))
  log.flush()
  const reads = timeUs(calls, (i) => trail.toolCalled(read(i)))
  const last = timeUs(1, () => log.flush())
  const sends = timeUs(Math.min(calls, 10_000), (i) => trail.toolCalled(send(i)))
  log.close()
  rmSync(dir, { recursive: true, force: true })
  return { calls, readUs: reads.wall + last.wall / calls, sendUs: sends.wall, readCpuUs: reads.cpu + last.cpu / calls, sendCpuUs: sends.cpu }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = benchAudit(Number(process.argv[2] ?? 50_000))
  console.log(`audit trail, main-thread time per recorded call: read ${fmt(r.readUs, 1)} µs wall / ${fmt(r.readCpuUs, 1)} µs CPU (batched), send ${fmt(r.sendUs, 1)} µs wall / ${fmt(r.sendCpuUs, 1)} µs CPU (own transaction before the reply); ${fmt(r.calls)} reads`)
}

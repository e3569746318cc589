// GET /metrics: Prometheus text format. Counters for restarts and recovery decisions, gauges for the
// connection, sessions and store, so an orchestrator can alert on what /healthz only summarizes.
import type { Handler } from '../router.js'
import { send } from '../respond.js'
import type { Services } from '../../app/services.js'
import { pacingMetrics } from '../../pacing/pacing-status.js'

export function metricsRoute(s: Services): Handler {
  return (_r, res, st) => {
    const wa = s.wa.getStatus()
    const counts = s.chats.counts()
    const recovery = (s.recovery?.snapshot().counts ?? {}) as Record<string, number>
    const decisions = new Map<string, number>()
    for (const r of s.recovery?.history ?? []) decisions.set(r.action, (decisions.get(r.action) ?? 0) + 1)
    const lines = [
      '# HELP wa_connected 1 when WhatsApp is open.',
      '# TYPE wa_connected gauge',
      `wa_connected ${wa.state === 'open' ? 1 : 0}`,
      '# HELP wa_linked 1 when an account is linked.',
      '# TYPE wa_linked gauge',
      `wa_linked ${wa.linked ? 1 : 0}`,
      '# HELP wa_worker_restarts_total Restarts of the WhatsApp worker.',
      '# TYPE wa_worker_restarts_total counter',
      `wa_worker_restarts_total ${s.wa.restarts.length}`,
      '# HELP wa_recovery_signals_total Recovery signals by kind, each failure counted once.',
      '# TYPE wa_recovery_signals_total counter',
      ...Object.entries(recovery).map(([k, v]) => `wa_recovery_signals_total{kind="${k}"} ${v}`),
      '# HELP wa_recovery_decisions_total Recovery decisions carried out, by action.',
      '# TYPE wa_recovery_decisions_total counter',
      ...[...decisions].map(([k, v]) => `wa_recovery_decisions_total{action="${k}"} ${v}`),
      '# HELP mcp_sessions Open MCP sessions.',
      '# TYPE mcp_sessions gauge',
      `mcp_sessions ${s.mcpSessionCount()}`,
      '# HELP store_rows Rows in the message store.',
      '# TYPE store_rows gauge',
      `store_rows{table="chats"} ${counts.chats}`,
      `store_rows{table="messages"} ${counts.messages ?? 0}`,
      `store_rows{table="contacts"} ${counts.contacts}`,
      '# HELP store_write_failures_total Failed store writes (retried).',
      '# TYPE store_write_failures_total counter',
      `store_write_failures_total ${s.writes.failures}`,
      '# HELP webhook_attempts_total Webhook delivery attempts since the start, by outcome (failed: to be retried or given up).',
      '# TYPE webhook_attempts_total counter',
      `webhook_attempts_total{result="delivered"} ${s.webhooks?.loop.stats.delivered ?? 0}`,
      `webhook_attempts_total{result="failed"} ${s.webhooks?.loop.stats.failedAttempts ?? 0}`,
      '# HELP webhook_deliveries_dead_total Webhook deliveries given up since the start.',
      '# TYPE webhook_deliveries_dead_total counter',
      `webhook_deliveries_dead_total ${s.webhooks?.loop.stats.dead ?? 0}`,
      '# HELP process_resident_memory_bytes Resident memory.',
      '# TYPE process_resident_memory_bytes gauge',
      `process_resident_memory_bytes ${process.memoryUsage().rss}`,
      // pacing: limits, what is used of them, the sends it queued or refused
      ...pacingMetrics(s)
    ]
    send(res, st, 200, `${lines.join('\n')}\n`, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' })
  }
}

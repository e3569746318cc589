// Scheduled: the outbox's sends that wait (scheduled by an agent, or queued by the pacing limits),
// soonest first, each with Cancel; and the ones that went, were cancelled, missed or failed, newest first.
import { api, ApiError } from './api.js'
import { $, esc, fmtDateTime, toast } from './dom.js'

interface Scheduled {
  id: string
  kind: 'scheduled' | 'paced'
  status: string
  chat_jid: string
  send_at: string
  text?: string
  message_id?: string
  error?: string
}

interface Page {
  pending: Scheduled[]
  recent: Scheduled[]
  counts: Record<string, number>
  since_start: { sent: number; failed: number; missed: number; deferred: number; retried: number }
}

const when = (iso: string): string => fmtDateTime(Date.parse(iso))

const pendingRow = (e: Scheduled): string => `<tr data-id="${esc(e.id)}" class="scheduled-${esc(e.status)}">
  <td>${esc(when(e.send_at))}</td><td>${esc(e.kind)}</td><td><code>${esc(e.chat_jid)}</code></td>
  <td class="scheduled-text">${esc(e.text ?? '')}</td><td class="scheduled-status">${esc(e.status)}</td>
  <td>${e.status === 'pending' ? `<button type="button" class="scheduled-cancel" data-id="${esc(e.id)}" aria-label="Cancel the send to ${esc(e.chat_jid)} at ${esc(when(e.send_at))}">Cancel</button>` : ''}</td></tr>`

const recentRow = (e: Scheduled): string => `<tr data-id="${esc(e.id)}" class="scheduled-${esc(e.status)}">
  <td>${esc(when(e.send_at))}</td><td>${esc(e.kind)}</td><td><code>${esc(e.chat_jid)}</code></td>
  <td class="scheduled-text">${esc(e.text ?? '')}</td><td class="scheduled-status">${esc(e.status)}</td>
  <td>${e.message_id ? `<code>${esc(e.message_id.split(':').pop())}</code>` : esc(e.error ?? '')}</td></tr>`

async function load(): Promise<void> {
  $('#scheduled-error').textContent = ''
  try {
    const page = await api<Page>('/api/scheduled?limit=200')
    $('#scheduled-pending').innerHTML = page.pending.map(pendingRow).join('') || '<tr><td colspan="6" class="hint">Nothing waits to be sent.</td></tr>'
    $('#scheduled-recent').innerHTML = page.recent.map(recentRow).join('') || '<tr><td colspan="6" class="hint">Nothing yet.</td></tr>'
    const n = page.since_start
    $('#scheduled-summary').textContent = `${page.pending.length} waiting; since the server started ${n.sent} sent, ${n.failed} failed, ${n.missed} missed, ${n.deferred} moved by pacing.`
  } catch (err) {
    $('#scheduled-error').textContent = err instanceof ApiError ? `${err.message} (${err.code})` : (err as Error).message
  }
}

async function cancel(id: string): Promise<void> {
  try {
    await api(`/api/scheduled/${encodeURIComponent(id)}/cancel`, { method: 'POST' })
    toast('Cancelled: it will not be sent.')
  } catch (err) {
    toast(err instanceof ApiError ? `${err.message} (${err.code})` : (err as Error).message, 'error')
  }
  await load()
}

export function showScheduled(): Promise<void> {
  return load()
}

export function initScheduledView(): void {
  $('#scheduled-refresh').addEventListener('click', () => void load())
  $('#scheduled-pending').addEventListener('click', (e) => {
    const button = (e.target as HTMLElement).closest<HTMLButtonElement>('button.scheduled-cancel')
    if (!button) return
    if (!window.confirm('Cancel this send? It will never go.')) return
    button.disabled = true
    void cancel(button.dataset.id!)
  })
}

// Webhooks: the endpoints (add, enable or disable, remove; the secret is shown once, when the server made
// it) and the delivery log with "send again". Errors are the server's, shown by field.
import { api, ApiError } from './api.js'
import { $, esc, fmtDateTime, toast } from './dom.js'

interface Endpoint {
  id: string
  url: string
  kinds: string[]
  chats: string[]
  enabled: boolean
  description: string
  secret_set: boolean
  deliveries: { pending: number; delivered: number; dead: number }
}

interface Delivery {
  endpoint_id: string
  seq: number
  kind: string
  chat_jid: string | null
  status: 'pending' | 'delivered' | 'dead'
  attempts: number
  next_at: number
  last_status: number | null
  last_error: string | null
  last_at: number | null
}

const list = (v: string): string[] => v.split(',').map((s) => s.trim()).filter(Boolean)

function renderEndpoints(endpoints: Endpoint[]): void {
  $('#webhook-endpoints').innerHTML = endpoints.length
    ? endpoints.map((e) => `<tr data-id="${esc(e.id)}">
        <td><code>${esc(e.id)}</code>${e.description ? `<br><small class="hint">${esc(e.description)}</small>` : ''}</td>
        <td class="url">${esc(e.url)}</td>
        <td>${esc(e.kinds.join(', ') || 'all')}</td>
        <td>${esc(e.chats.join(', ') || 'all')}</td>
        <td>${e.deliveries.delivered} delivered, ${e.deliveries.pending} pending, ${e.deliveries.dead} dead</td>
        <td><label class="inline"><input type="checkbox" class="wh-enabled" ${e.enabled ? 'checked' : ''}> enabled</label></td>
        <td><button type="button" class="wh-remove danger">Remove</button></td>
      </tr>`).join('')
    : '<tr><td colspan="7" class="hint">No webhook endpoints yet.</td></tr>'
}

function renderLog(rows: Delivery[]): void {
  $('#webhook-log').innerHTML = rows.length
    ? rows.map((d) => `<tr data-endpoint="${esc(d.endpoint_id)}" data-seq="${d.seq}" class="status-${d.status}">
        <td>${d.seq}</td><td><code>${esc(d.endpoint_id)}</code></td><td>${esc(d.kind)}</td>
        <td class="wh-status">${esc(d.status)}</td><td>${d.attempts}</td>
        <td>${d.last_status ?? ''}</td><td class="wh-error">${esc(d.last_error ?? '')}</td><td>${esc(fmtDateTime(d.last_at))}</td>
        <td>${d.status === 'pending' ? '' : '<button type="button" class="wh-resend">Send again</button>'}</td>
      </tr>`).join('')
    : '<tr><td colspan="9" class="hint">No deliveries yet.</td></tr>'
}

export async function showWebhooks(): Promise<void> {
  const [{ endpoints }, { deliveries }] = await Promise.all([
    api<{ endpoints: Endpoint[] }>('/api/webhooks'),
    api<{ deliveries: Delivery[] }>('/api/webhooks/deliveries?limit=100')
  ])
  renderEndpoints(endpoints)
  renderLog(deliveries)
}

async function act(fn: () => Promise<unknown>, done: string): Promise<void> {
  try {
    await fn()
    toast(done)
  } catch (err) {
    toast((err as Error).message, 'error')
  }
  await showWebhooks().catch((e: Error) => toast(e.message, 'error'))
}

export function initWebhooksView(): void {
  $('#webhook-form').addEventListener('submit', async (e) => {
    e.preventDefault()
    const val = (id: string) => $<HTMLInputElement>(`#wh-${id}`).value.trim()
    const body: Record<string, unknown> = { url: val('url'), kinds: list(val('kinds')), chats: list(val('chats')), description: val('description') }
    if (val('secret')) body.secret = val('secret')
    $('#webhook-error').textContent = ''
    $('#webhook-secret').textContent = ''
    try {
      const r = await api<{ endpoint: Endpoint; secret?: string }>('/api/webhooks', { method: 'POST', json: body })
      if (r.secret) $('#webhook-secret').textContent = `Secret of ${r.endpoint.id}, shown this once: ${r.secret}`
      $<HTMLFormElement>('#webhook-form').reset()
      toast('Webhook added')
      await showWebhooks()
    } catch (err) {
      $('#webhook-error').textContent = err instanceof ApiError ? `${err.message} (${err.code})` : (err as Error).message
    }
  })
  $('#webhook-endpoints').addEventListener('change', (e) => {
    const box = e.target as HTMLInputElement
    const id = box.closest('tr')?.dataset.id
    if (id && box.classList.contains('wh-enabled')) void act(() => api(`/api/webhooks/${encodeURIComponent(id)}`, { method: 'PATCH', json: { enabled: box.checked } }), box.checked ? 'Enabled' : 'Disabled')
  })
  $('#webhook-endpoints').addEventListener('click', (e) => {
    const id = (e.target as HTMLElement).closest('tr')?.dataset.id
    if (id && (e.target as HTMLElement).classList.contains('wh-remove') && confirm(`Remove webhook ${id}? Its pending deliveries are dropped.`)) void act(() => api(`/api/webhooks/${encodeURIComponent(id)}`, { method: 'DELETE' }), 'Removed')
  })
  $('#webhook-log').addEventListener('click', (e) => {
    const row = (e.target as HTMLElement).closest('tr')
    if (!row || !(e.target as HTMLElement).classList.contains('wh-resend')) return
    void act(() => api(`/api/webhooks/${encodeURIComponent(row.dataset.endpoint!)}/deliveries/${row.dataset.seq}/resend`, { method: 'POST' }), 'Queued again')
  })
  $('#webhook-refresh').addEventListener('click', () => void showWebhooks().catch((err: Error) => toast(err.message, 'error')))
}

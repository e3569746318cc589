// Audit: the trail of tool calls, newest first, filtered by tool, chat, credential, result and time,
// paged with "Older" (the server's cursor), exported as JSON lines with the same filters.
import { api, ApiError } from './api.js'
import { $, esc, fmtDateTime } from './dom.js'

interface AuditRecord {
  id: number
  at: number
  kind: string
  credential: string
  client: string | null
  tool: string | null
  chats: string[]
  message_ids: string[]
  outcome: 'ok' | 'error' | 'cancelled'
  code: string | null
  duration_ms: number | null
  details: Record<string, unknown>
}

/** rows per page; "Older" asks for the next */
const PAGE = 50
let cursor: string | null = null

/** the filters of the form as query parameters; times from the reader's local datetime fields as ms */
function filters(): URLSearchParams {
  const q = new URLSearchParams()
  for (const name of ['tool', 'chat', 'credential', 'code']) {
    const v = $<HTMLInputElement>(`#audit-${name}`).value.trim()
    if (v) q.set(name, v)
  }
  for (const name of ['since', 'until']) {
    const v = $<HTMLInputElement>(`#audit-${name}`).value
    if (v) q.set(name, String(new Date(v).getTime()))
  }
  return q
}

const row = (r: AuditRecord): string => `<tr data-id="${r.id}" class="outcome-${r.outcome}">
  <td>${esc(fmtDateTime(r.at))}</td><td>${esc(r.credential)}</td><td>${esc(r.client ?? '')}</td>
  <td class="audit-tool">${esc(r.tool ?? r.kind)}</td><td>${r.chats.map((c) => `<code>${esc(c)}</code>`).join('<br>')}</td>
  <td>${r.message_ids.map((m) => `<code>${esc(m)}</code>`).join('<br>')}</td>
  <td class="audit-result">${esc(r.outcome === 'error' ? r.code : r.outcome)}</td><td>${r.duration_ms ?? ''}</td>
  <td class="audit-args">${esc(JSON.stringify(r.details))}</td></tr>`

async function load(append: boolean): Promise<void> {
  const q = filters()
  if (append && cursor) q.set('cursor', cursor)
  $('#audit-error').textContent = ''
  try {
    q.set('limit', String(PAGE))
    const page = await api<{ records: AuditRecord[]; next_cursor: string | null }>(`/api/audit?${q}`)
    cursor = page.next_cursor
    const html = page.records.map(row).join('')
    const body = $('#audit-rows')
    if (append) body.insertAdjacentHTML('beforeend', html)
    else body.innerHTML = html || '<tr><td colspan="9" class="hint">No records match.</td></tr>'
    $('#audit-more').hidden = !cursor
  } catch (err) {
    $('#audit-error').textContent = err instanceof ApiError ? `${err.message} (${err.code})` : (err as Error).message
  }
}

export function showAudit(): Promise<void> {
  return load(false)
}

export function initAuditView(): void {
  $('#audit-filters').addEventListener('submit', (e) => {
    e.preventDefault()
    void load(false)
  })
  $('#audit-more').addEventListener('click', () => void load(true))
  $('#audit-export').addEventListener('click', () => {
    window.location.href = `/api/audit/export?${filters()}`
  })
}

// Approvals: the sends and actions waiting for a person, live (the /api/events stream pushes each new and
// decided request), shown as the message will look in the chat; approve, edit then approve, or reject with
// a note. The tab's badge counts what waits. The recent decisions are listed below.
import { api, ApiError } from './api.js'
import { $, esc, fmtDateTime, toast } from './dom.js'

export interface Approval {
  id: string
  code: string
  operation: string
  chat_jid: string
  chat_name: string | null
  preview: { summary: string; text: string | null; caption: string | null; media: { kind: string; file_name: string | null; mimetype: string | null } | null }
  args: Record<string, unknown>
  principal: { id: string; label: string }
  status: 'pending' | 'approved' | 'rejected' | 'expired'
  requested_at: number
  expires_at: number
  decided_at: number | null
  decided_by: string | null
  note: string | null
  edited_args: Record<string, unknown> | null
}

/** the argument a person may rewrite, per tool (the server checks the same list) */
const EDIT_FIELD: Record<string, string> = { send_message: 'message', send_media: 'caption', edit_message: 'text' }
const BY: Record<string, string> = { admin: 'the admin UI', client: 'the MCP client', owner_chat: 'the owner\'s chat' }

const known = new Map<string, Approval>()

function badge(): void {
  const n = [...known.values()].filter((a) => a.status === 'pending').length
  const el = $('#approvals-badge')
  el.textContent = String(n)
  el.hidden = n === 0
  el.setAttribute('aria-label', `${n} waiting`)
}

/** the message as its chat will show it: a bubble with the text, or the caption under the file's name */
function bubble(a: Approval): string {
  const p = a.preview
  const media = p.media ? `<div class="approval-media">📎 ${esc(p.media.file_name ?? p.media.kind)}${p.media.mimetype ? ` <small>${esc(p.media.mimetype)}</small>` : ''}</div>` : ''
  const text = p.text ?? p.caption
  return media || text ? `<div class="bubble approval-bubble">${media}${text ? `<div class="approval-text">${esc(text)}</div>` : ''}</div>` : ''
}

function card(a: Approval): string {
  const field = EDIT_FIELD[a.operation]
  const current = field ? String(a.args[field] ?? '') : ''
  return `<li class="approval panel" data-id="${esc(a.id)}" data-code="${esc(a.code)}">
  <div class="approval-head"><strong class="approval-summary">${esc(p(a))}</strong> <code class="approval-code">${esc(a.code)}</code></div>
  <div class="hint">${esc(a.chat_name ?? a.chat_jid)}${a.chat_jid ? ` <code>${esc(a.chat_jid)}</code>` : ''} · asked by ${esc(a.principal.label)} · ${esc(a.operation)} · until ${esc(fmtDateTime(a.expires_at))}</div>
  ${bubble(a)}
  ${field ? `<div class="approval-editor" hidden><label>Text to send <textarea class="approval-edit-text" rows="3">${esc(current)}</textarea></label></div>` : ''}
  <label class="approval-note-label">Note (shown to the agent) <input class="approval-note" maxlength="1000"></label>
  <div class="approval-actions">
    <button type="button" class="approval-approve">Approve</button>
    ${field ? '<button type="button" class="approval-edit">Edit then approve</button>' : ''}
    <button type="button" class="approval-reject danger">Reject</button>
  </div>
</li>`
}

const p = (a: Approval): string => a.preview.summary

function recentRow(a: Approval): string {
  const text = a.preview.text ?? a.preview.caption ?? ''
  return `<tr data-id="${esc(a.id)}" class="approval-${a.status}"><td>${esc(fmtDateTime(a.decided_at ?? a.requested_at))}</td><td><code>${esc(a.code)}</code></td><td>${esc(p(a))}</td>
  <td class="approval-status">${esc(a.status)}</td><td>${esc(a.decided_by ? BY[a.decided_by] ?? a.decided_by : '')}</td><td>${esc(a.note ?? '')}</td><td>${esc(a.edited_args ? String(Object.values(a.edited_args)[0] ?? '') : text)}</td></tr>`
}

function render(): void {
  const all = [...known.values()]
  const pending = all.filter((a) => a.status === 'pending').sort((x, y) => x.requested_at - y.requested_at)
  const done = all.filter((a) => a.status !== 'pending').sort((x, y) => (y.decided_at ?? 0) - (x.decided_at ?? 0)).slice(0, 50)
  const list = $('#approvals-pending')
  // a card being edited keeps its text and note: only cards that came or went change
  for (const li of [...list.querySelectorAll<HTMLElement>('li.approval')]) if (!pending.some((a) => a.id === li.dataset.id)) li.remove()
  for (const a of pending) if (!list.querySelector(`li[data-id="${CSS.escape(a.id)}"]`)) list.insertAdjacentHTML('beforeend', card(a))
  $('#approvals-empty').hidden = pending.length > 0
  $('#approvals-recent').innerHTML = done.map(recentRow).join('') || '<tr><td colspan="7" class="hint">Nothing decided yet.</td></tr>'
  badge()
}

/** a request pushed on the event stream (new or decided) */
export function approvalEvent(data: { approval: Approval }): void {
  known.set(data.approval.id, data.approval)
  render()
}

/** the queue from the server; on opening the tab, and once at sign-in for the badge */
export async function showApprovals(): Promise<void> {
  try {
    const { approvals } = await api<{ approvals: Approval[] }>('/api/approvals')
    known.clear()
    for (const a of approvals) known.set(a.id, a)
    $('#approvals-error').textContent = ''
    render()
  } catch (err) {
    $('#approvals-error').textContent = err instanceof ApiError ? `${err.message} (${err.code})` : (err as Error).message
  }
}

async function decide(li: HTMLElement, approve: boolean, edited: boolean): Promise<void> {
  const id = li.dataset.id!
  const a = known.get(id)
  const note = $<HTMLInputElement>('.approval-note', li).value.trim()
  const field = a ? EDIT_FIELD[a.operation] : undefined
  const args = edited && field ? { [field]: $<HTMLTextAreaElement>('.approval-edit-text', li).value } : undefined
  for (const b of li.querySelectorAll('button')) b.disabled = true
  try {
    const { approval } = await api<{ approval: Approval }>(`/api/approvals/${encodeURIComponent(id)}`, { method: 'POST', json: { approve, ...(note ? { note } : {}), ...(args ? { args } : {}) } })
    known.set(id, approval)
    toast(approve ? `Approved ${approval.code}` : `Rejected ${approval.code}`)
  } catch (err) {
    // decided elsewhere first (the client, the owner's chat, a timeout): show it as it stands
    const now = err instanceof ApiError ? (err.data?.approval as Approval | undefined) : undefined
    if (now) known.set(id, now)
    toast(err instanceof ApiError ? `${err.message} (${err.code})` : (err as Error).message, 'error')
    for (const b of li.querySelectorAll('button')) b.disabled = false
  }
  render()
}

export function initApprovalsView(): void {
  $('#approvals-pending').addEventListener('click', (e) => {
    const btn = (e.target as HTMLElement).closest('button')
    const li = btn?.closest<HTMLElement>('li.approval')
    if (!btn || !li) return
    if (btn.classList.contains('approval-approve')) void decide(li, true, false)
    else if (btn.classList.contains('approval-reject')) void decide(li, false, false)
    else if (btn.classList.contains('approval-edit')) {
      const editor = $('.approval-editor', li)
      // the first press opens the editor; the second sends what it holds
      if (editor.hidden) {
        editor.hidden = false
        btn.textContent = 'Send edited'
        $<HTMLTextAreaElement>('.approval-edit-text', li).focus()
      } else void decide(li, true, true)
    }
  })
}

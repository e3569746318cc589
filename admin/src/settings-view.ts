// Settings: a form built from the server's settings, inline errors from the server's validation,
// secrets write-only (an empty password field leaves the secret as it is).
import { api, ApiError } from './api.js'
import { $, esc, toast } from './dom.js'

type Kind = 'bool' | 'int' | 'text' | 'secret' | 'choice'
const FIELDS: Array<{ key: string; label: string; kind: Kind; help?: string; choices?: string[] }> = [
  { key: 'media_public_base_url', label: 'Public base URL for media links', kind: 'text', help: 'empty: links are relative (/media/...)' },
  { key: 'upload_enabled', label: 'Uploads enabled', kind: 'bool' },
  { key: 'upload_max_mb', label: 'Upload limit (MB)', kind: 'int' },
  { key: 'max_files_per_upload', label: 'Files per upload', kind: 'int' },
  { key: 'require_upload_token', label: 'Require an upload token', kind: 'bool' },
  { key: 'upload_token', label: 'Upload token', kind: 'secret', help: 'write-only; leave empty to keep the current one' },
  { key: 'auto_download_media', label: 'Download incoming media automatically', kind: 'bool' },
  { key: 'auto_download_max_mb', label: 'Auto-download limit (MB, 0 = none)', kind: 'int' },
  { key: 'auto_select_contact', label: 'get_chat_by_contact picks a clear winner itself', kind: 'bool' },
  { key: 'send_dedup_window_ms', label: 'Duplicate-send window (ms, 0 = off)', kind: 'int' },
  { key: 'audit_bodies', label: 'Audit trail keeps message texts', kind: 'bool', help: 'off: the trail keeps only their length' },
  // scheduler
  { key: 'schedule_missed_after_s', label: 'A scheduled send is missed this late (s, 0 = never)', kind: 'int', help: 'due longer ago than this when it could go (the server was down): not sent' },
  // approvals
  { key: 'approval_required', label: 'Approval needed for every caller', kind: 'choice', choices: ['off', 'sends', 'actions'], help: 'sends; or actions: sends and deletes, edits, group and account changes' },
  { key: 'approval_timeout_s', label: 'Approval timeout (s)', kind: 'int', help: 'then the call fails with APPROVAL_TIMEOUT' },
  // approvals in the owner's own chat
  { key: 'approval_owner_chat', label: 'Ask approvals in my own WhatsApp chat', kind: 'bool', help: 'reply 1 to send, 2 to drop, from the phone' }
]

export async function showSettings(): Promise<void> {
  const { settings } = await api<{ settings: Record<string, unknown> }>('/api/settings')
  $('#settings-fields').innerHTML = FIELDS.map((f) => {
    const id = `set-${f.key}`
    const err = `<p class="field-error" id="${id}-error" aria-live="polite"></p>`
    if (f.kind === 'choice') return `<div class="row"><label for="${id}">${esc(f.label)}</label><select id="${id}" name="${f.key}" aria-describedby="${id}-error">${f.choices!.map((c) => `<option ${settings[f.key] === c ? 'selected' : ''}>${esc(c)}</option>`).join('')}</select>${f.help ? `<small class="hint">${esc(f.help)}</small>` : ''}${err}</div>`
    if (f.kind === 'bool') return `<div class="row check"><input type="checkbox" id="${id}" name="${f.key}" ${settings[f.key] ? 'checked' : ''} aria-describedby="${id}-error"><label for="${id}">${esc(f.label)}</label>${err}</div>`
    const value = f.kind === 'secret' ? '' : esc(settings[f.key])
    const placeholder = f.kind === 'secret' ? (settings.upload_token_set ? 'set (hidden)' : 'not set') : ''
    return `<div class="row"><label for="${id}">${esc(f.label)}</label><input id="${id}" name="${f.key}" type="${f.kind === 'int' ? 'number' : f.kind === 'secret' ? 'password' : 'text'}" value="${value}" placeholder="${esc(placeholder)}" aria-describedby="${id}-error">${f.help ? `<small class="hint">${esc(f.help)}</small>` : ''}${err}</div>`
  }).join('')
}

export function initSettingsView(): void {
  $('#settings-form').addEventListener('submit', async (e) => {
    e.preventDefault()
    const patch: Record<string, unknown> = {}
    for (const f of FIELDS) {
      const el = $<HTMLInputElement>(`#set-${f.key}`)
      if (f.kind === 'bool') patch[f.key] = el.checked
      else if (f.kind === 'int') patch[f.key] = el.value === '' ? undefined : Number(el.value)
      else if (f.kind === 'secret') {
        if (el.value) patch[f.key] = el.value
      } else patch[f.key] = el.value
    }
    for (const el of document.querySelectorAll('.field-error')) el.textContent = ''
    $('#settings-error').textContent = ''
    try {
      await api('/api/settings', { method: 'POST', json: patch })
      toast('Settings saved')
      await showSettings()
    } catch (err) {
      if (err instanceof ApiError && err.data?.fields) {
        for (const [k, msg] of Object.entries(err.data.fields as Record<string, string>)) {
          const slot = document.getElementById(`set-${k}-error`)
          if (slot) slot.textContent = msg
        }
      }
      $('#settings-error').textContent = (err as Error).message
    }
  })
}

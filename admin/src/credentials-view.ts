// Credentials: named tokens for MCP clients (create with toolsets, chats and an expiry; the token is shown
// once; revoke) and the per-chat policy (never for agents, read only, sends need approval). Errors are
// the server's, with their codes.
import { api, ApiError } from './api.js'
import { $, esc, fmtDateTime, toast } from './dom.js'

interface Credential {
  id: string
  name: string
  toolsets: string[]
  chats: { mode: 'all' } | { mode: 'allow' | 'deny'; jids: string[] }
  expires_at: number | null
  approval?: 'none' | 'sends' | 'actions'
  last_used_at: number | null
  revoked_at: number | null
  source: 'admin' | 'env'
}

interface Policy {
  jid: string
  policy: string
  updated_at: number
}

const POLICY_NAMES: Record<string, string> = { never: 'never for agents', read_only: 'read only', approval: 'needs approval' }
const list = (v: string): string[] => v.split(',').map((s) => s.trim()).filter(Boolean)
const shown = (err: unknown): string => (err instanceof ApiError ? `${err.message} (${err.code})` : (err as Error).message)

function stateOf(c: Credential): string {
  if (c.revoked_at) return `revoked ${fmtDateTime(c.revoked_at)}`
  if (c.expires_at && c.expires_at <= Date.now()) return 'expired'
  return c.source === 'env' ? 'active (MCP_CREDENTIALS)' : 'active'
}

function renderCredentials(creds: Credential[]): void {
  $('#cred-list').innerHTML = creds.length
    ? creds.map((c) => `<tr data-id="${esc(c.id)}">
        <td>${esc(c.name)}</td><td>${esc(c.toolsets.join(', '))}</td>
        <td>${c.chats.mode === 'all' ? 'all' : `${c.chats.mode === 'allow' ? 'only' : 'all but'} ${esc(c.chats.jids.join(', '))}`}</td>
        <td>${esc(c.expires_at ? fmtDateTime(c.expires_at) : 'never')}${c.approval && c.approval !== 'none' ? `<br><small>approval: ${esc(c.approval)}</small>` : ''}</td><td>${esc(fmtDateTime(c.last_used_at))}</td>
        <td class="cred-state">${esc(stateOf(c))}</td>
        <td>${c.revoked_at || c.source === 'env' ? '' : `<button type="button" class="cred-revoke danger" aria-label="Revoke ${esc(c.name)}">Revoke</button>`}</td>
      </tr>`).join('')
    : '<tr><td colspan="7" class="hint">No credentials yet; MCP_AUTH_TOKEN (if set) can do everything.</td></tr>'
}

function renderPolicies(policies: Policy[]): void {
  $('#policy-list').innerHTML = policies.length
    ? policies.map((p) => `<tr data-jid="${esc(p.jid)}"><td><code>${esc(p.jid)}</code></td><td class="policy-name">${esc(POLICY_NAMES[p.policy] ?? p.policy)}</td><td>${esc(fmtDateTime(p.updated_at))}</td>
        <td><button type="button" class="policy-clear">Clear</button></td></tr>`).join('')
    : '<tr><td colspan="4" class="hint">No chat has a policy: every chat follows the credentials alone.</td></tr>'
}

export async function showCredentials(): Promise<void> {
  const [{ credentials }, { policies }] = await Promise.all([api<{ credentials: Credential[] }>('/api/credentials'), api<{ policies: Policy[] }>('/api/chat-policy')])
  renderCredentials(credentials)
  renderPolicies(policies)
}

async function setPolicy(jid: string, policy: string | null): Promise<void> {
  await api(`/api/chat-policy/${encodeURIComponent(jid)}`, { method: 'PUT', json: { policy } })
  await showCredentials()
}

export function initCredentialsView(): void {
  $('#cred-form').addEventListener('submit', async (e) => {
    e.preventDefault()
    $('#cred-error').textContent = ''
    $('#cred-token').textContent = ''
    const mode = $<HTMLSelectElement>('#cred-mode').value
    const expires = $<HTMLInputElement>('#cred-expires').value
    const body = {
      name: $<HTMLInputElement>('#cred-name').value.trim(),
      toolsets: [...document.querySelectorAll<HTMLInputElement>('#cred-toolsets input:checked')].map((b) => b.value),
      chats: mode === 'all' ? 'all' : { [mode]: list($<HTMLInputElement>('#cred-chats').value) },
      expires_at: expires ? new Date(expires).getTime() : null,
      approval: $<HTMLSelectElement>('#cred-approval').value
    }
    try {
      const r = await api<{ credential: Credential; token: string }>('/api/credentials', { method: 'POST', json: body })
      $('#cred-token').textContent = `Token of "${r.credential.name}", shown this once: ${r.token}`
      $<HTMLFormElement>('#cred-form').reset()
      toast('Credential created')
      await showCredentials()
    } catch (err) {
      $('#cred-error').textContent = shown(err)
    }
  })
  $('#cred-list').addEventListener('click', (e) => {
    const row = (e.target as HTMLElement).closest('tr')
    if (!row?.dataset.id || !(e.target as HTMLElement).classList.contains('cred-revoke')) return
    if (!confirm('Revoke this credential? Clients using it are refused from the next request.')) return
    void api(`/api/credentials/${encodeURIComponent(row.dataset.id)}`, { method: 'DELETE' }).then(() => toast('Revoked'), (err: unknown) => toast(shown(err), 'error')).then(showCredentials)
  })
  $('#policy-form').addEventListener('submit', async (e) => {
    e.preventDefault()
    $('#policy-error').textContent = ''
    try {
      await setPolicy($<HTMLInputElement>('#policy-jid').value.trim(), $<HTMLSelectElement>('#policy-kind').value || null)
      toast('Chat policy saved')
    } catch (err) {
      $('#policy-error').textContent = shown(err)
    }
  })
  $('#policy-list').addEventListener('click', (e) => {
    const jid = (e.target as HTMLElement).closest('tr')?.dataset.jid
    if (jid && (e.target as HTMLElement).classList.contains('policy-clear')) void setPolicy(jid, null).catch((err: unknown) => toast(shown(err), 'error'))
  })
}

// The OAuth consent page (/admin/consent.html?request=…): sign in with the admin token if needed, show the
// client's name, where it will be sent back to, the toolsets it may use and the chats it may see, then
// send the decision to /api/oauth/requests/:id and follow the redirect the server answers. The decision is
// a same-origin fetch, not a form post: the server's request policy refuses it from any other site.
import { api, ApiError } from './api.js'
import { $, debounce, esc } from './dom.js'

interface ConsentRequest {
  client: { name: string; id: string; kind: 'registered' | 'document'; uri?: string }
  redirect_host: string
  requested: string[] | null
  toolsets: string[]
}

const TOOLSET_TEXT: Record<string, string> = {
  read: 'read chats, contacts and messages',
  send: 'send messages, reactions and media',
  groups: 'manage groups',
  account: 'link, log out and resync the account',
  admin: 'change settings and webhooks',
  audit: 'read the audit trail'
}

const requestId = new URLSearchParams(location.search).get('request') ?? ''
const picked = new Set<string>()

function fail(message: string): void {
  const el = $('#consent-error')
  el.textContent = message
  el.hidden = false
}

async function signedIn(): Promise<boolean> {
  try {
    await api('/api/auth')
    return true
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return false
    throw err
  }
}

async function showChats(q: string): Promise<void> {
  const { chats } = await api<{ chats: Array<{ jid: string; name?: string }> }>(`/api/chats?limit=50&q=${encodeURIComponent(q)}`)
  $('#chat-list').innerHTML = chats
    .map((c) => `<label><input type="checkbox" class="chat" value="${esc(c.jid)}"${picked.has(c.jid) ? ' checked' : ''}> ${esc(c.name ?? c.jid)}</label>`)
    .join('') || '<p>No chats match.</p>'
}

async function decide(body: Record<string, unknown>): Promise<void> {
  try {
    const { redirect } = await api<{ redirect: string }>(`/api/oauth/requests/${encodeURIComponent(requestId)}`, { method: 'POST', json: body })
    location.assign(redirect)
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err))
  }
}

async function showRequest(): Promise<void> {
  let req: ConsentRequest
  try {
    req = await api<ConsentRequest>(`/api/oauth/requests/${encodeURIComponent(requestId)}`)
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err))
  }
  $('#client-name').textContent = req.client.name
  $('#client-id').textContent = req.client.id
  $('#redirect-host').textContent = req.redirect_host
  $('#toolsets').innerHTML = req.toolsets
    .map((t) => `<label><input type="checkbox" class="toolset" value="${esc(t)}"${t === 'read' || req.requested ? ' checked' : ''}> <strong>${esc(t)}</strong>: ${esc(TOOLSET_TEXT[t] ?? t)}</label>`)
    .join('')
  $('#consent').hidden = false
  for (const r of document.querySelectorAll<HTMLInputElement>('input[name=chat-mode]')) {
    r.addEventListener('change', () => {
      $('#chat-picker').hidden = r.value !== 'allow' || !r.checked
      if (r.value === 'allow' && r.checked) void showChats('')
    })
  }
  $('#chat-search').addEventListener('input', debounce(() => void showChats($<HTMLInputElement>('#chat-search').value), 200))
  $('#chat-list').addEventListener('change', (e) => {
    const box = e.target as HTMLInputElement
    if (box.checked) picked.add(box.value)
    else picked.delete(box.value)
  })
  $('#consent-form').addEventListener('submit', (e) => {
    e.preventDefault()
    const toolsets = [...document.querySelectorAll<HTMLInputElement>('input.toolset:checked')].map((b) => b.value)
    const mode = document.querySelector<HTMLInputElement>('input[name=chat-mode]:checked')?.value
    void decide({ approve: true, toolsets, chats: mode === 'allow' ? { mode: 'allow', jids: [...picked] } : { mode: 'all' } })
  })
  $('#deny').addEventListener('click', () => void decide({ approve: false }))
}

async function start(): Promise<void> {
  if (await signedIn()) return showRequest()
  $('#signin').hidden = false
  $('#signin-form').addEventListener('submit', (e) => {
    e.preventDefault()
    void (async () => {
      try {
        await api('/api/login', { method: 'POST', json: { token: $<HTMLInputElement>('#token').value } })
        $('#signin').hidden = true
        await showRequest()
      } catch (err) {
        $('#signin-error').textContent = err instanceof Error ? err.message : String(err)
      }
    })()
  })
}

void start()

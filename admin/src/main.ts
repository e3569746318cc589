// The admin UI: sign-in when ADMIN_TOKEN is set, tabs, and the live status stream.
import { api, ApiError, setUnauthorizedHandler, watchStatus } from './api.js'
import { $, toast } from './dom.js'
import { initLinkView, renderStatus } from './link-view.js'
import { initChatsView, showChats } from './chats-view.js'
import { initSettingsView, showSettings } from './settings-view.js'
import { initWebhooksView, showWebhooks } from './webhooks-view.js'
import { initCredentialsView, showCredentials } from './credentials-view.js'
import { initAuditView, showAudit } from './audit-view.js'
import { initScheduledView, showScheduled } from './scheduled-view.js'
import { renderPacing } from './pacing-view.js'
import { approvalEvent, initApprovalsView, showApprovals } from './approvals-view.js'

const VIEWS: Record<string, () => Promise<void> | void> = { link: () => undefined, chats: showChats, settings: showSettings, webhooks: showWebhooks, access: showCredentials, audit: showAudit, approvals: showApprovals, scheduled: showScheduled, export: () => undefined }
let stream: EventSource | undefined

function select(name: string): void {
  for (const tab of document.querySelectorAll<HTMLButtonElement>('[role="tab"]')) {
    const on = tab.id === `tab-${name}`
    tab.setAttribute('aria-selected', String(on))
    tab.tabIndex = on ? 0 : -1
    $(`#${tab.getAttribute('aria-controls')!}`).hidden = !on
  }
  void Promise.resolve(VIEWS[name]?.()).catch((e: Error) => toast(e.message, 'error'))
  history.replaceState(null, '', `#${name}`)
}

function signedIn(required: boolean): void {
  $('#sign-out').hidden = !required
  $('#signin').hidden = true
  $('#tabs').hidden = false
  select(location.hash.slice(1) in VIEWS ? location.hash.slice(1) : 'link')
  stream?.close()
  stream = watchStatus((s) => {
    renderStatus(s)
    renderPacing(s as { pacing?: Parameters<typeof renderPacing>[0]['pacing'] })
  })
  // approvals: each new and decided request comes on the same stream; the badge counts from the start
  stream.addEventListener('approval', (e) => approvalEvent(JSON.parse((e as MessageEvent<string>).data)))
  void showApprovals()
}

function signIn(): void {
  stream?.close()
  $('#sign-out').hidden = true
  $('#tabs').hidden = true
  for (const v of document.querySelectorAll<HTMLElement>('.view')) v.hidden = true
  $('#signin').hidden = false
  $<HTMLInputElement>('#token').focus()
}

async function start(): Promise<void> {
  setUnauthorizedHandler(signIn)
  initLinkView()
  initChatsView()
  initSettingsView()
  initWebhooksView()
  initCredentialsView()
  initAuditView()
  initScheduledView()
  initApprovalsView()
  const tabs = [...document.querySelectorAll<HTMLButtonElement>('[role="tab"]')]
  tabs.forEach((tab, i) => {
    tab.addEventListener('click', () => select(tab.id.slice(4)))
    // arrow keys move between tabs, as a tablist should
    tab.addEventListener('keydown', (e) => {
      const next = e.key === 'ArrowRight' ? tabs[(i + 1) % tabs.length] : e.key === 'ArrowLeft' ? tabs[(i - 1 + tabs.length) % tabs.length] : undefined
      if (next) {
        next.focus()
        select(next.id.slice(4))
      }
    })
  })
  $('#signin-form').addEventListener('submit', async (e) => {
    e.preventDefault()
    try {
      await api('/api/login', { method: 'POST', json: { token: $<HTMLInputElement>('#token').value } })
      $<HTMLInputElement>('#token').value = ''
      $('#signin-error').textContent = ''
      signedIn(true)
    } catch (err) {
      $('#signin-error').textContent = err instanceof ApiError && err.status === 401 ? 'That token is not right.' : (err as Error).message
    }
  })
  $('#sign-out').addEventListener('click', () => {
    void api('/api/sign-out', { method: 'POST' }).then(signIn, (e: Error) => toast(e.message, 'error'))
  })
  $('#export-form').addEventListener('submit', (e) => {
    e.preventDefault()
    const jid = $<HTMLInputElement>('#export-jid').value.trim()
    const media = $<HTMLInputElement>('#export-media').checked
    window.location.href = `/api/export/chat/${encodeURIComponent(jid)}${media ? '?include_media=true' : ''}`
  })
  try {
    signedIn((await api<{ required: boolean }>('/api/auth')).required)
  } catch {
    signIn()
  }
}

void start()

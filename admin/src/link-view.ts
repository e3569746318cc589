// Link & status: the QR (refreshed when WhatsApp rotates it), pairing by code, live status, actions.
import { api, type Status } from './api.js'
import { $, esc, fmtDateTime, toast } from './dom.js'
import { badgeText, headline, historyText, lastDisconnect, unreachable } from './status-text.js'

let lastQr: number | null | undefined

export function renderStatus(s: Status): void {
  const wa = s.whatsapp
  const badge = $('#badge')
  badge.textContent = badgeText(wa)
  badge.className = `badge ${wa.ready ? 'ready' : (s.health && !s.health.ok) || unreachable(wa) ? 'bad' : ''}`
  $('#link-state').textContent = headline(wa)
  const showQr = !wa.linked && wa.qr_available
  $('#qr-box').hidden = !showQr
  $('#pairing-form').hidden = wa.linked
  if (showQr && wa.qr_issued_at !== lastQr) {
    lastQr = wa.qr_issued_at
    $<HTMLImageElement>('#qr').src = `/api/qr?t=${wa.qr_issued_at ?? Date.now()}`
  }
  if (!showQr) lastQr = undefined
  const syncing = wa.history && (wa.history.progress ?? 100) < 100
  $('#history-progress').hidden = !syncing
  if (syncing) $<HTMLProgressElement>('#history-bar').value = wa.history!.progress ?? 0
  // logging out or resyncing an account that is not linked does nothing: not offered then
  $('#act-logout').hidden = !wa.linked
  $('#act-resync').hidden = !wa.linked
  const rows: Array<[string, string]> = [
    ['State', `${wa.state}${s.health ? ` (health: ${s.health.reason})` : ''}`],
    ['Account', wa.me ? `${wa.me.name ?? ''} ${wa.me.jid}` : '—'],
    ['Last disconnect', lastDisconnect(wa, fmtDateTime)],
    ['History', historyText(wa.history)],
    ['Chats', String(s.store.chats)],
    ['Messages', String(s.store.messages ?? 0)],
    ['Contacts', String(s.store.contacts)],
    ['Media files', String(s.store.media_files ?? 0)],
    ['MCP sessions', String(s.mcp.sessions)],
    ['Worker restarts', String(wa.restarts.length)]
  ]
  $('#status-list').innerHTML = rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')
  const events = [
    ...wa.restarts.map((r) => ({ at: r.at, text: `worker restart: ${r.cause}` })),
    ...(wa.recovery?.recent ?? []).map((r) => ({ at: r.at, text: `${r.action}: ${r.reason}` }))
  ].sort((a, b) => b.at - a.at)
  $('#events').innerHTML = events.length ? events.slice(0, 20).map((e) => `<li><time>${esc(fmtDateTime(e.at))}</time> ${esc(e.text)}</li>`).join('') : '<li>none</li>'
}

export function initLinkView(): void {
  const act = (id: string, path: string, question: string, done: string) =>
    $(id).addEventListener('click', async () => {
      if (!window.confirm(question)) return
      try {
        await api(path, { method: 'POST' })
        toast(done)
      } catch (e) {
        toast((e as Error).message, 'error')
      }
    })
  act('#act-logout', '/api/logout', 'Log out of WhatsApp? The stored chats stay; you will need to scan a new QR code.', 'Logged out')
  act('#act-restart', '/api/restart-wa', 'Restart the WhatsApp connection?', 'Restarting')
  act('#act-resync', '/api/force-resync', 'Resync contact names and chat settings from the phone?', 'Resync started')
  $('#pairing-form').addEventListener('submit', async (e) => {
    e.preventDefault()
    const phone = $<HTMLInputElement>('#pairing-phone').value
    try {
      const r = await api<{ code: string }>('/api/pairing-code', { method: 'POST', json: { phone } })
      $('#pairing-code').textContent = `Type this code on the phone: ${r.code}`
    } catch (err) {
      $('#pairing-code').textContent = (err as Error).message
    }
  })
}

// The status view's words, as pure functions of the status the server pushes (no DOM here, so the Node
// tests check them table by table): one plain sentence for the state, the history sync in words, and the
// last disconnect only when it was one worth telling.
import type { Status } from './api.js'

type Wa = Status['whatsapp']

/** WhatsApp's history sync kinds (proto.HistorySync.HistorySyncType) as a person reads them */
const HISTORY: Record<string, string> = {
  INITIAL_BOOTSTRAP: 'recent chats',
  INITIAL_STATUS_V3: 'status updates',
  FULL: 'full history',
  RECENT: 'recent messages',
  PUSH_NAME: 'contact names',
  NON_BLOCKING_DATA: 'chat details',
  ON_DEMAND: 'older messages, on request'
}

// the Baileys close code that follows every successful link: the phone asks for a fresh connection
const RESTART_REQUIRED = 515

/** Pure: a history sync kind in words; an unknown one in lower case without underscores */
export function historyKind(syncType: string): string {
  return HISTORY[syncType] ?? syncType.toLowerCase().replace(/_/g, ' ')
}

/** Pure: whether the last disconnect says the network, not WhatsApp, is the trouble */
export function unreachable(wa: Pick<Wa, 'state' | 'last_disconnect'>): boolean {
  if (wa.state !== 'reconnecting' && wa.state !== 'connecting') return false
  const d = wa.last_disconnect
  if (!d) return false
  // 408: Baileys' "connection lost" / timed out; the rest are the socket's own errors
  return d.code === 408 || d.code === 503 || /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|getaddrinfo|Connection Failure|timed? ?out|socket hang up/i.test(d.reason)
}

/** Pure: the one sentence under "Link WhatsApp" */
export function headline(wa: Wa): string {
  if (wa.ready) return `Ready: linked${wa.me?.name ? ` as ${wa.me.name}` : ''} and connected.`
  if (unreachable(wa)) return 'Cannot reach WhatsApp: check this machine\'s network connection. It keeps trying by itself.'
  switch (wa.state) {
    case 'awaiting-qr':
      return 'Not linked: scan the QR code with WhatsApp on the phone, or link with a code.'
    case 'linking':
      return 'Linking: the phone accepted the scan, connecting…'
    case 'syncing':
      return 'Linked: syncing history…'
    case 'starting':
      return 'Starting…'
    case 'connecting':
      return wa.linked ? 'Linked: connecting…' : 'Connecting to WhatsApp…'
    case 'reconnecting':
      return wa.linked ? 'Linked, but not connected right now: reconnecting…' : 'Reconnecting to WhatsApp…'
    case 'logged-out':
      return 'Logged out: scan a new QR code to link again. The stored chats stay.'
    case 'replaced':
      return 'Another WhatsApp Web or Desktop session took over this link. Restart WhatsApp to take it back.'
    case 'stopped':
      return 'Stopped.'
    default:
      return wa.message
  }
}

/** Pure: who the account is, for people: its name, else its phone number (a JID is for machines) */
export function accountName(me: Wa['me']): string {
  if (!me) return ''
  return me.name ?? (me.jid.endsWith('@s.whatsapp.net') ? `+${me.jid.split(/[@:]/)[0]}` : me.jid)
}

/** Pure: the short text of the top badge */
export function badgeText(wa: Wa): string {
  if (wa.ready) return `ready · ${accountName(wa.me)}`
  if (unreachable(wa)) return 'no network'
  return wa.state === 'awaiting-qr' ? 'not linked' : wa.state
}

/** Pure: the "Last disconnect" row; the normal restart after linking is not one */
export function lastDisconnect(wa: Pick<Wa, 'last_disconnect'>, fmt: (ms: number) => string): string {
  const d = wa.last_disconnect
  if (!d || d.code === RESTART_REQUIRED) return '—'
  return `${d.reason}${d.code !== undefined ? ` (${d.code})` : ''} · ${fmt(d.at)}`
}

/** Pure: the "History" row */
export function historyText(h: Wa['history']): string {
  if (!h) return '—'
  const progress = h.progress !== undefined && h.progress < 100 ? ` · ${h.progress}%` : ''
  return `${h.messages} messages, ${h.chats} chats (last: ${historyKind(h.syncType)})${progress}`
}

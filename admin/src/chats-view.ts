// Chats: search, cursor paging, names resolved by the server, unread badges; a message view with dates,
// sender names in groups, quotes, reactions, thumbnails, downloads and "load older"; export per chat.
import { api } from './api.js'
import { $, debounce, esc, fmtTime, toast } from './dom.js'

/** a chat as the API sends it: fields with nothing to say are left out */
interface Chat {
  jid: string
  name?: string
  is_group: boolean
  unread_count: number
  last_message_at?: number
  last_message?: { body?: string; type: string; from_me: boolean }
}

/** a message as the API sends it: fields with nothing to say are left out */
interface Message {
  message_id: string
  id: string
  chat_jid: string
  from_me: boolean
  sender_jid?: string
  sender_name?: string
  timestamp: number
  type: string
  body?: string
  media?: Record<string, unknown>
  quoted_id?: string
  reactions?: Array<{ sender_jid: string; emoji: string }>
  revoked?: boolean
  edited?: boolean
}

let chatCursor: string | null = null
let messageCursor: string | null = null
let current: Chat | undefined
let shown: Message[] = []

const label = (c: Chat): string => c.name ?? (c.jid.endsWith('@s.whatsapp.net') ? `+${c.jid.split('@')[0]}` : c.jid)

function chatItem(c: Chat): string {
  const last = c.last_message ? `${c.last_message.from_me ? 'You: ' : ''}${c.last_message.body ?? `[${c.last_message.type}]`}` : ''
  return `<li><button type="button" data-jid="${esc(c.jid)}" aria-label="${esc(label(c))}${c.unread_count ? `, ${c.unread_count} unread` : ''}">
    <span class="chat-name">${esc(label(c))}</span><span class="chat-time">${esc(fmtTime(c.last_message_at))}</span>
    <span class="chat-last">${esc(last)}</span>${c.unread_count ? `<span class="unread">${c.unread_count}</span>` : '<span></span>'}
  </button></li>`
}

async function loadChats(reset: boolean): Promise<void> {
  const q = $<HTMLInputElement>('#chat-search').value.trim()
  if (reset) chatCursor = null
  const params = new URLSearchParams({ limit: '50', ...(q ? { q } : {}), ...(chatCursor ? { cursor: chatCursor } : {}) })
  const r = await api<{ chats: Chat[]; next_cursor: string | null }>(`/api/chats?${params}`)
  const list = $('#chat-list')
  const html = r.chats.map(chatItem).join('')
  if (reset) list.innerHTML = html || '<li class="hint">No chats</li>'
  else list.insertAdjacentHTML('beforeend', html)
  chatCursor = r.next_cursor
  $('#chats-more').hidden = !chatCursor
  for (const b of list.querySelectorAll<HTMLButtonElement>('button[data-jid]')) {
    b.onclick = () => void openChat(r.chats.find((c) => c.jid === b.dataset.jid) ?? ({ jid: b.dataset.jid!, name: b.querySelector('.chat-name')?.textContent ?? null } as Chat))
  }
}

function messageItem(m: Message, isGroup: boolean, byId: Map<string, Message>): string {
  const quoted = m.quoted_id ? byId.get(m.quoted_id) : undefined
  const quote = m.quoted_id ? `<div class="quote">${esc(quoted ? `${quoted.from_me ? 'You' : (quoted.sender_name ?? '')}: ${quoted.body ?? `[${quoted.type}]`}` : 'a reply to an earlier message')}</div>` : ''
  const isImage = m.type === 'image' || m.type === 'sticker'
  const base = `/api/chats/${encodeURIComponent(m.chat_jid)}/messages/${encodeURIComponent(m.id)}`
  const media = m.media
    ? `${isImage ? `<img class="thumb" alt="${esc((m.body ?? 'image') + ' (preview)')}" src="${base}/thumbnail" loading="lazy">` : ''}<a href="${base}/media" download>Download ${esc(m.type)}${m.media.file_name ? ` (${esc(m.media.file_name)})` : ''}</a>`
    : ''
  const who = isGroup && !m.from_me ? `<div class="who">${esc(m.sender_name ?? m.sender_jid ?? '')}</div>` : ''
  const body = m.revoked ? '<em>This message was deleted</em>' : esc(m.body ?? (m.media ? '' : `[${m.type}]`))
  const reactions = m.reactions?.length ? `<div class="reactions" aria-label="reactions">${m.reactions.map((r) => esc(r.emoji)).join(' ')}</div>` : ''
  return `<li class="msg ${m.from_me ? 'mine' : ''}" data-id="${esc(m.id)}">${who}${quote}${media}<div class="body">${body}</div>${reactions}<div class="meta"><time datetime="${new Date(m.timestamp).toISOString()}">${esc(fmtTime(m.timestamp))}</time>${m.edited ? ' · edited' : ''}</div></li>`
}

/** Pure: oldest first for display. The API pages newest first, so reversing before the (stable) sort keeps
 * messages of the same second in the order they were sent instead of flipping them. */
export function displayOrder<T extends { timestamp: number }>(newestFirst: readonly T[]): T[] {
  return [...newestFirst].reverse().sort((a, b) => a.timestamp - b.timestamp)
}

// whether the view follows the newest message: true from opening a chat until "load older" is used or the
// reader scrolls, so a thumbnail that loads late does not leave the newest message below the bottom edge
let followNewest = false

function scrollToNewest(): void {
  if (followNewest) $('#messages').scrollTop = $('#messages').scrollHeight
}

function renderMessages(): void {
  const byId = new Map(shown.map((m) => [m.message_id, m]))
  const ordered = displayOrder(shown)
  let lastDay = ''
  const parts: string[] = []
  for (const m of ordered) {
    const day = new Date(m.timestamp).toDateString()
    if (day !== lastDay) {
      parts.push(`<li class="day">${esc(new Date(m.timestamp).toLocaleDateString([], { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' }))}</li>`)
      lastDay = day
    }
    parts.push(messageItem(m, current?.jid.endsWith('@g.us') ?? false, byId))
  }
  const list = $('#messages')
  list.innerHTML = parts.join('')
  // listeners, not inline handlers: the page's content security policy allows no inline script
  for (const img of list.querySelectorAll<HTMLImageElement>('img.thumb')) {
    img.addEventListener('error', () => img.remove(), { once: true })
    img.addEventListener('load', scrollToNewest, { once: true })
  }
}

async function loadMessages(reset: boolean): Promise<void> {
  if (!current) return
  if (reset) {
    messageCursor = null
    shown = []
  }
  followNewest = reset
  const params = new URLSearchParams({ limit: '50', ...(messageCursor ? { cursor: messageCursor } : {}) })
  const r = await api<{ messages: Message[]; next_cursor: string | null }>(`/api/chats/${encodeURIComponent(current.jid)}/messages?${params}`)
  shown = [...shown, ...r.messages]
  messageCursor = r.next_cursor
  $('#messages-older').hidden = !messageCursor
  renderMessages()
  scrollToNewest()
}

async function openChat(c: Chat): Promise<void> {
  current = c
  for (const b of document.querySelectorAll<HTMLButtonElement>('#chat-list button')) b.setAttribute('aria-current', String(b.dataset.jid === c.jid))
  $('#chat-header').innerHTML = `<h2>${esc(label(c))}</h2><span><a id="export-chat" href="/api/export/chat/${encodeURIComponent(c.jid)}?include_media=true" download>Export ZIP</a></span>`
  try {
    await loadMessages(true)
  } catch (e) {
    toast((e as Error).message, 'error')
  }
  // on a phone the list and the chat stack, the chat below the fold: bring it up where the tap can see it
  if (window.matchMedia('(max-width: 720px)').matches) $('.chat-view').scrollIntoView({ block: 'start' })
}

export function initChatsView(): void {
  $('#chat-search').addEventListener('input', debounce(() => void loadChats(true).catch((e: Error) => toast(e.message, 'error')), 300))
  $('#chats-more').addEventListener('click', () => void loadChats(false))
  $('#messages-older').addEventListener('click', () => void loadMessages(false))
  // a reader who scrolls back is not pulled down again by a picture that loads late
  const stopFollowing = (): void => {
    followNewest = false
  }
  $('#messages').addEventListener('wheel', stopFollowing, { passive: true })
  $('#messages').addEventListener('touchmove', stopFollowing, { passive: true })
}

export const showChats = (): Promise<void> => loadChats(true)

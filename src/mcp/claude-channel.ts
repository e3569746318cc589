// The Claude Code channel (the experimental capability `claude/channel`): a new incoming message of a chosen
// chat is pushed to every 2025 session with an open stream as `notifications/claude/channel`, which Claude
// Code shows its model as a <channel> event, so a running session hears WhatsApp without polling. What
// arrives is text someone else wrote, put in front of a model: only the chats in CLAUDE_CHANNEL_CHATS are
// pushed ('*' for every chat), and it is off unless they are named. The event log is the source, read from
// the last event pushed, so a burst is pushed whole and in order; a session that was not listening catches
// up with get_updates, as every other push path does.
import type { EventsRepo } from '../store/events-repo.js'
import type { MessagesRepo, MessageRow } from '../store/messages-repo.js'
import type { SessionRegistry } from './sessions.js'
import { sseEvent } from './session.js'
import { toJid } from '../store/jid.js'
import type { Principal } from '../access/principal.js'

export const CHANNEL_CAPABILITY = 'claude/channel'
export const CHANNEL_INSTRUCTIONS =
  ' New WhatsApp messages arrive as <channel source="whatsapp" chat_id=... message_id=... sender=...> events; answer one with send_message to its chat_id (reply_to: its message_id) only when the user asked you to.'

/** the chats a CLAUDE_CHANNEL_CHATS value names: '*' for all, else JIDs or phone numbers; undefined when off */
export function channelChats(value: readonly string[]): '*' | ReadonlySet<string> | undefined {
  if (!value.length) return undefined
  if (value.includes('*')) return '*'
  const jids = value.map((v) => toJid(v)).filter((j): j is string => !!j)
  return jids.length ? new Set(jids) : undefined
}

/** a message as the channel event's text: who wrote what, media named by its kind */
export function channelContent(m: MessageRow, chatName: string | null): { content: string; meta: Record<string, string> } {
  const who = m.sender_name ?? m.sender_jid ?? m.chat_jid
  const what = m.type === 'text' ? (m.body ?? '') : `[${m.type}]${m.body ? ` ${m.body}` : ''}`
  const meta: Record<string, string> = {
    chat_id: m.chat_jid,
    message_id: `${m.chat_jid}:${m.id}`,
    sender: m.sender_jid ?? m.chat_jid,
    type: m.type,
    ts: new Date(m.timestamp).toISOString()
  }
  if (m.sender_name) meta.sender_name = m.sender_name
  if (chatName) meta.chat_name = chatName
  return { content: `${who}: ${what}`, meta }
}

export class ClaudeChannel {
  private last: number
  /** events pushed, all told */
  pushed = 0

  constructor(
    private readonly chats: '*' | ReadonlySet<string>,
    private readonly repo: { events: EventsRepo; messages: MessagesRepo; chatName(jid: string): string | null },
    private readonly sessions: SessionRegistry,
    /** whether a session's principal may read this chat (its credential's toolsets, scope and the chat policy) */
    private readonly sees: (p: Principal, chat: string) => boolean = () => true
  ) {
    // from now on: what came before is what get_updates is for
    this.last = repo.events.bounds().last
  }

  /** new incoming messages were committed in these chats */
  wake(chats: readonly string[]): void {
    if (this.chats !== '*' && !chats.some((c) => (this.chats as ReadonlySet<string>).has(c))) return
    for (;;) {
      const page = this.repo.events.incoming({ after: this.last, limit: 100 })
      for (const row of page.rows) {
        this.last = row.seq
        if (this.chats !== '*' && !this.chats.has(row.chat_jid)) continue
        const m = this.repo.messages.get(row.message_id, row.chat_jid)
        if (m) this.push(row.chat_jid, channelContent(m, this.repo.chatName(row.chat_jid)))
      }
      if (page.rows.length < 100) break
    }
  }

  private push(chat: string, params: { content: string; meta: Record<string, string> }): void {
    const event = sseEvent({ jsonrpc: '2.0', method: 'notifications/claude/channel', params })
    for (const session of this.sessions.all()) if (this.sees(session.principal, chat) && session.broadcast(event)) this.pushed++
  }
}

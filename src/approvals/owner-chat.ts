// The owner's own WhatsApp chat ("message yourself") as the third way to decide an approval, for people
// away from the screen: each request gets one prompt there, and the owner answers "1" to send or "2" to
// drop from their phone. Off unless the runtime setting approval_owner_chat is on.
//
// Who may answer: only a message the account's own phone (or another of its linked devices) wrote in that
// chat. This server writes there too (its prompts and answers, and any agent's send_message to the own
// number), and such a message must never decide anything, or an agent could approve itself. So every send
// of this server's own to the self chat is watched from before it leaves (Supervisor 'sending'): a message
// in the chat is judged only once no such send is still on its way, and one whose id came back from a send
// is skipped. The replies are read from the event log, woken by store commits that touched the self chat.
import type { Logger } from 'pino'
import type { EventsRepo, EventRow } from '../store/events-repo.js'
import { newMessageId } from '../wa/send-guard.js'
import type { ApprovalGate, ApprovalRequest } from './approval-types.js'
import { alreadyText, CONFLICT_TEXT, decidedText, looksLikeCode, NOTHING_PENDING_TEXT, parseOwnerReply, promptText, UNCLEAR_TEXT, unknownCodeText, whichText, type OwnerReply } from './owner-reply.js'

/** ids of this server's own messages in the self chat kept to skip them; far more than can wait unread */
const OWN_IDS_MAX = 10_000
/** events read per page of the log */
const PAGE = 50
/** a prompt's first line names its code (owner-reply.ts promptText) */
const PROMPT_CODE = /^Approval needed \(([A-Z0-9]{4,6})\)/
const GONE_TEXT = 'The request of that prompt is no longer known (the server restarted); nothing changed.'

export interface OwnerChatDeps {
  approvals: ApprovalGate
  /** the runtime setting approval_owner_chat, read each time */
  enabled(): boolean
  /** the account's own phone-number JID and LID while linked (no device part) */
  me(): { jid: string; lid?: string } | undefined
  /** sends a text into the owner's chat under `messageId`: straight to WhatsApp, past the gate and pacing */
  send(to: string, text: string, messageId: string): Promise<unknown>
  events: Pick<EventsRepo, 'page' | 'bounds'>
  /** the stored message a stored message quotes, if it quotes one (its body and time when stored too) */
  quoted(chatJid: string, id: string): { id: string; body?: string | null; timestamp?: number } | undefined
  log: Pick<Logger, 'warn' | 'debug'>
}

export class OwnerChat {
  private last: number
  /** this server's own messages in the self chat: prompts, answers, and what came back from sends there */
  private readonly own = new Set<string>()
  /** prompt message id -> request id: a reply quoting a prompt names its request */
  private readonly prompts = new Map<string, string>()
  /** sends of this server's own to the self chat that have not come back yet */
  private readonly inflight = new Set<Promise<unknown>>()
  private held = false
  /** a read is under way (an answer it sends may wake it again): the running one reads on instead */
  private reading = false
  private again = false
  /** prompts sent, decisions taken, and answers read that decided nothing */
  readonly stats = { prompts: 0, decisions: 0, refused: 0 }

  constructor(private readonly d: OwnerChatDeps) {
    // from now on: an answer written before this process ran has no request of this process to decide
    this.last = d.events.bounds().last
    d.approvals.on('requested', this.onRequested)
  }

  private readonly onRequested = (req: ApprovalRequest): void => this.prompt(req)

  /** no more prompts (the server stops) */
  close(): void {
    this.d.approvals.off('requested', this.onRequested)
  }

  /**
   * A send of this server's own is about to leave for `to`; `result` settles with the message's id (or
   * undefined when it failed). Until it settles, no message of the self chat is taken for the owner's. An
   * id named in advance is known at once: a send whose answer a worker crash cut off is still our own.
   */
  sending(to: string | undefined, result: Promise<{ id?: string } | undefined>, messageId?: string): void {
    if (to && !this.isSelf(to)) return
    if (messageId) this.remember(messageId)
    const p = result.then(
      (r) => {
        if (r?.id) this.remember(r.id)
      },
      () => undefined
    ).finally(() => {
      this.inflight.delete(p)
      if (!this.inflight.size && this.held) {
        this.held = false
        this.read()
      }
    })
    this.inflight.add(p)
  }

  /** a store write committed; `chats` are the chats whose events it touched */
  wake(chats: readonly string[]): void {
    const self = this.selfChats()
    if (self.length && chats.some((c) => self.includes(c))) this.read()
  }

  private read(): void {
    if (this.reading) {
      this.again = true
      return
    }
    this.reading = true
    try {
      do {
        this.again = false
        this.readPages()
      } while (this.again && !this.held)
    } finally {
      this.reading = false
    }
  }

  private readPages(): void {
    if (!this.d.enabled()) {
      // what is written while it is off is never read as an answer later
      this.last = this.d.events.bounds().last
      return
    }
    const self = this.selfChats()
    if (!self.length) return
    for (;;) {
      const page = this.d.events.page({ after: this.last, chats: self, kinds: ['message'], limit: PAGE })
      for (const e of page.events) {
        if (e.from_me === 1 && e.message_id && !this.own.has(e.message_id) && this.inflight.size) {
          this.held = true
          return
        }
        this.last = e.seq
        this.consider(e)
      }
      if (page.events.length < PAGE) return
    }
  }

  private consider(e: EventRow): void {
    if (e.from_me !== 1 || !e.message_id || !e.chat_jid || this.own.has(e.message_id) || e.type !== 'text' || !e.body) return
    const reply = parseOwnerReply(e.body, (t) => !!this.d.approvals.get(t.toUpperCase()) || looksLikeCode(t))
    if (!reply) return
    const quoted = this.quotedRequest(e.chat_jid, e.message_id)
    this.answer(quoted === 'gone' ? this.refuse(GONE_TEXT) : this.decide(reply, quoted))
  }

  /**
   * The request of the prompt a reply quotes. A prompt of an earlier run (its requests expired when that run
   * stopped) is read back from the stored text; when its code now names a newer request, the quoted one is
   * gone, and the answer must not fall to whatever waits now.
   */
  private quotedRequest(chat: string, id: string): ApprovalRequest | 'gone' | undefined {
    const q = this.d.quoted(chat, id)
    if (!q) return undefined
    const known = this.prompts.get(q.id)
    if (known) return this.d.approvals.get(known) ?? 'gone'
    const code = q.body ? PROMPT_CODE.exec(q.body)?.[1] : undefined
    if (!code) return undefined
    const req = this.d.approvals.get(code)
    // a stored time is whole seconds (WhatsApp's), the request's is milliseconds
    return req && (q.timestamp === undefined || req.requestedAt <= q.timestamp + 1000) ? req : 'gone'
  }

  /** what the owner's answer does, and what the chat says back */
  private decide(reply: OwnerReply, quoted: ApprovalRequest | undefined): string {
    const pending = (): ApprovalRequest[] => this.d.approvals.list(50).filter((r) => r.status === 'pending')
    if (reply.kind === 'unclear') return pending().length ? UNCLEAR_TEXT : ''
    let target: ApprovalRequest | undefined
    if (reply.code) {
      target = this.d.approvals.get(reply.code)
      if (!target) return this.refuse(unknownCodeText(reply.code))
      if (quoted && quoted.id !== target.id) return this.refuse(CONFLICT_TEXT)
    } else if (quoted) target = quoted
    else {
      const waiting = pending()
      if (!waiting.length) return this.refuse(NOTHING_PENDING_TEXT)
      // a bare "1" decides only when nobody could mean another request by it
      if (waiting.length > 1) return this.refuse(whichText(waiting))
      target = waiting[0]!
    }
    if (target.status !== 'pending') return this.refuse(alreadyText(target))
    const ok = this.d.approvals.decide(target.id, { approve: reply.approve, ...(reply.note ? { note: reply.note } : {}), by: 'owner_chat' })
    const now = this.d.approvals.get(target.id) ?? target
    if (!ok) return this.refuse(alreadyText(now))
    this.stats.decisions++
    return decidedText(now.status === 'pending' ? { ...now, status: reply.approve ? 'approved' : 'rejected', ...(reply.note ? { note: reply.note } : {}) } : now)
  }

  private refuse(text: string): string {
    this.stats.refused++
    return text
  }

  private prompt(req: ApprovalRequest): void {
    if (!this.d.enabled()) return
    const id = this.post(promptText(req))
    if (!id) return
    this.prompts.set(id, req.id)
    this.stats.prompts++
  }

  private answer(text: string): void {
    if (text) this.post(text)
  }

  /** one message of our own into the self chat; its id is known before it leaves, so it is never read back */
  private post(text: string): string | undefined {
    const me = this.d.me()
    if (!me) {
      this.d.log.warn('the owner chat cannot be written: the account is not linked')
      return undefined
    }
    const id = newMessageId()
    this.remember(id)
    this.d.send(me.jid, text, id).catch((err: unknown) => this.d.log.warn({ err }, 'the owner chat could not be written'))
    return id
  }

  private remember(id: string): void {
    this.own.add(id)
    if (this.own.size > OWN_IDS_MAX) this.own.delete(this.own.values().next().value!)
    if (this.prompts.size > OWN_IDS_MAX) this.prompts.delete(this.prompts.keys().next().value!)
  }

  /** the names the store may give the self chat: the phone JID, or the LID while it maps to no phone JID */
  private selfChats(): string[] {
    const me = this.d.me()
    if (!me) return []
    return me.lid ? [me.jid, me.lid] : [me.jid]
  }

  private isSelf(to: string): boolean {
    const user = (j: string): string => j.split('@')[0]!.split(':')[0]!
    const me = this.d.me()
    return !me || [me.jid, me.lid].some((j) => !!j && user(j) === user(to))
  }
}

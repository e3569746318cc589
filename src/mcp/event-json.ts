// The public JSON shape of one event-log row: what get_updates returns and what a webhook delivery carries.
// One owner, so an agent reading pages and a receiver reading deliveries see the same fields.
import { z } from 'zod'
import { EVENT_KINDS } from '../store/event-log.js'
import type { EventRow } from '../store/events-repo.js'
import type { EventCursors } from './event-cursor.js'
import { cardNames, parseVcards } from '../store/message-fields.js'

/** text of a message event is cut here; the whole message is one get_message_by_id away */
const TEXT_MAX = 2000

export const eventShape = z
  .object({
    kind: z.enum(EVENT_KINDS),
    at: z.string().describe('ISO 8601'),
    cursor: z.string().describe('just after this event'),
    chat_jid: z.string().optional(),
    message_id: z.string().optional().describe('chat_jid:id'),
    actor: z.string().optional().describe('sender, reactor, voter or reader'),
    from_me: z.literal(true).optional(),
    type: z.string().optional(),
    text: z.string().optional(),
    text_truncated: z.literal(true).optional()
  })
  .catchall(z.unknown())
  .describe('a change; kind-specific fields (emoji, state, subject, participants, ...) beside these')

export type EventJson = z.infer<typeof eventShape>

/** the row as the public shape; `cursors` signs the cursor just after it */
export function toEvent(cursors: EventCursors, e: EventRow): EventJson {
  const o: Record<string, unknown> = { kind: e.kind, at: new Date(e.at).toISOString(), cursor: cursors.encode(e.seq) }
  if (e.chat_jid) o.chat_jid = e.chat_jid
  if (e.message_id) o.message_id = e.chat_jid ? `${e.chat_jid}:${e.message_id}` : e.message_id
  if (e.actor_jid) o.actor = e.actor_jid
  if (e.data) Object.assign(o, JSON.parse(e.data) as Record<string, unknown>)
  // a contact message's body is its vCards: the event names the people, as a read of the message does
  const type = e.type ?? o.type
  const cards = type === 'contact' || type === 'contacts' ? parseVcards(e.body ?? null) : undefined
  const body = cards ? cardNames(cards) : e.body
  if (body !== null && body !== undefined) {
    o.text = body.length > TEXT_MAX ? body.slice(0, TEXT_MAX) : body
    if (body.length > TEXT_MAX) o.text_truncated = true
  }
  return o as EventJson
}

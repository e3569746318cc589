/**
 * The write contract of the message store: plain, structured-clone-friendly records that the WhatsApp
 * worker derives from Baileys events and the pool's single writer applies, one transaction per batch.
 *
 * Rules every producer follows and the writer relies on:
 * - `undefined` means "this event does not know": the writer never overwrites a known value with it.
 *   `null` is only used where an event really clears a value (e.g. a removed group description).
 * - JIDs are as WhatsApp named them, normalized (no device suffix). A record carries the other identity
 *   half (`*Alt`: the LID for a phone JID, or the phone JID for a LID) whenever the event has it; the
 *   writer canonicalizes (one person, one row; one chat, never split) using every mapping it has seen.
 * - Times are Unix milliseconds.
 * - Applying the same batch twice leaves the store as applying it once (idempotent upserts), so a batch
 *   replayed after a crash is harmless.
 */

export type MessageType =
  | 'text'
  | 'image'
  | 'video'
  | 'audio'
  | 'voice'
  | 'document'
  | 'sticker'
  | 'location'
  | 'live_location'
  | 'contact'
  | 'contacts'
  | 'poll'
  | 'poll_vote'
  | 'reaction'
  | 'protocol'
  | 'system'
  | 'unknown'

export interface MediaInfo {
  mimetype?: string
  fileName?: string
  fileLength?: number
  seconds?: number
  width?: number
  height?: number
  /** Lowercase hex; lets the store recognise a file it already has. */
  fileSha256?: string
  /** Small JPEG preview WhatsApp ships inside the message, if any. */
  jpegThumbnail?: Uint8Array
}

export interface MessageRecord {
  chatJid: string
  chatJidAlt?: string
  id: string
  fromMe: boolean
  /** Author: a participant in groups, the chat JID in 1:1 chats, the account's own JID when fromMe. */
  senderJid?: string
  senderJidAlt?: string
  /** WhatsApp's push name of the author as carried by the message. */
  pushName?: string
  timestamp: number
  type: MessageType
  /** Text, caption, or a short rendering for non-text types (e.g. poll question, location name). */
  body?: string
  media?: MediaInfo
  /** Id of the message this one replies to, and the JID of that message's author. */
  quotedId?: string
  quotedSenderJid?: string
  mentions?: string[]
  /** 0 error, 1 pending, 2 server ack, 3 delivered, 4 read, 5 played (Baileys' proto.WebMessageInfo.Status). */
  status?: number
  /** True for messages that arrive through history sync rather than live. */
  fromHistory?: boolean
  /** The whole `proto.WebMessageInfo`, encoded: media download, quoting and retries need it after a restart. */
  raw?: Uint8Array
}

export interface MessageUpdateRecord {
  chatJid: string
  chatJidAlt?: string
  id: string
  fromMe?: boolean
  status?: number
  /** New text of an edited message. */
  editedBody?: string
  editedAt?: number
  /** The message was deleted for everyone. */
  revoked?: boolean
  /** New raw bytes (e.g. after a media re-upload gave a fresh URL). */
  raw?: Uint8Array
  media?: MediaInfo
}

export interface ReactionRecord {
  chatJid: string
  chatJidAlt?: string
  messageId: string
  senderJid: string
  senderJidAlt?: string
  /** Empty string removes the sender's reaction. */
  emoji: string
  timestamp: number
}

export interface ReceiptRecord {
  chatJid: string
  chatJidAlt?: string
  messageId: string
  userJid: string
  userJidAlt?: string
  type: 'delivered' | 'read' | 'played'
  timestamp: number
}

export interface PollVoteRecord {
  chatJid: string
  chatJidAlt?: string
  pollMessageId: string
  voterJid: string
  voterJidAlt?: string
  /** Names of the options the voter selected; empty clears the vote. */
  selected: string[]
  timestamp: number
}

export interface DeleteRecord {
  chatJid: string
  chatJidAlt?: string
  /** Ids to delete for me; omitted = the whole chat was cleared. */
  ids?: string[]
}

export interface ChatRecord {
  jid: string
  jidAlt?: string
  name?: string
  isGroup?: boolean
  /** Absolute count from an event that owns it (history sync, chats.upsert, marked read → 0). */
  unreadCount?: number
  /** Added to the stored count (a new incoming message). */
  unreadIncrement?: number
  /** Marked unread by the user without a count. */
  markedUnread?: boolean
  archived?: boolean
  pinned?: boolean
  /** Mute end time in ms; 0 unmuted; -1 muted forever. */
  muteEndTime?: number
  /** Time of the newest message; the writer keeps the maximum. */
  lastMessageAt?: number
  readOnly?: boolean
}

export interface ContactRecord {
  jid: string
  jidAlt?: string
  /** The name in the account's address book. */
  name?: string
  /** The name the person set for themselves (push name). */
  notify?: string
  verifiedName?: string
  /** E.164 digits without '+', when known. */
  phoneNumber?: string
  isMyContact?: boolean
  imgUrl?: string
  status?: string
}

export interface LidMappingRecord {
  lid: string
  pn: string
}

export interface GroupParticipantRecord {
  jid: string
  jidAlt?: string
  admin?: 'admin' | 'superadmin' | null
}

export interface GroupRecord {
  jid: string
  subject?: string
  subjectOwner?: string
  subjectTime?: number
  description?: string | null
  owner?: string
  creation?: number
  size?: number
  announce?: boolean
  restrict?: boolean
  /** When present, the complete participant list; replaces the stored one. */
  participants?: GroupParticipantRecord[]
  /** The account left or was removed. */
  left?: boolean
}

export interface ParticipantsChangeRecord {
  groupJid: string
  action: 'add' | 'remove' | 'promote' | 'demote' | 'modify'
  participants: GroupParticipantRecord[]
  timestamp: number
  /** who made the change, when the event says */
  actorJid?: string
}

/** a change of the WhatsApp connection's state, logged as an event (written by the main thread) */
export interface ConnectionRecord {
  state: string
  reason?: string
  at: number
}

export interface HistorySyncProgress {
  syncType: string
  progress?: number
  chunkOrder?: number
  isLatest?: boolean
  messages: number
  chats: number
  contacts: number
}

/** One unit of writing. The writer applies the arrays in this order, in one transaction. */
export interface StoreBatch {
  lidMappings?: LidMappingRecord[]
  contacts?: ContactRecord[]
  chats?: ChatRecord[]
  groups?: GroupRecord[]
  participants?: ParticipantsChangeRecord[]
  messages?: MessageRecord[]
  messageUpdates?: MessageUpdateRecord[]
  reactions?: ReactionRecord[]
  receipts?: ReceiptRecord[]
  pollVotes?: PollVoteRecord[]
  deletes?: DeleteRecord[]
  historySync?: HistorySyncProgress
  connection?: ConnectionRecord
}

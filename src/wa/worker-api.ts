/**
 * The boundary between the main thread and the WhatsApp worker (one Baileys socket per worker).
 *
 * - Calls: the main thread holds a comlink proxy of `WaWorkerApi` over the worker's `parentPort`.
 *   Errors thrown by the worker arrive as AppError with their code (see errors/wire.ts).
 * - Events: the worker posts `WaWorkerEvent`s on the `events` MessagePort handed over in `workerData`;
 *   store batches, connection changes, recovery signals and a heartbeat all travel that one ordered port.
 *   The main thread answers on the same port with `WaMainMessage`s (commits of those batches).
 *
 * Everything here must survive structured clone: plain objects, arrays, strings, numbers, Uint8Array.
 */
import type { GroupRecord } from '../store/batch.js'
import type { EncodedBatch } from '../store/batch-codec.js'

/** What the worker is told at start. Paths are absolute. */
export interface WaWorkerOptions {
  accountId: string
  /** SQLite file holding creds and Signal keys, written by the worker (see workers/whatsapp/auth-store.ts). */
  authDbPath: string
  /** how long a key update may wait to be written (receive-only chain progress) or fsynced (the rest) */
  keySyncMs?: number
  /** The message store, opened read-only by the worker for `getMessage` and `cachedGroupMetadata`. */
  storeDbPath: string
  mediaDir: string
  /** Where Baileys dials; undefined = WhatsApp's own URL. */
  wsUrl?: string
  /** Test only: base64 Curve25519 public key replacing WhatsApp's noise root key. */
  trustRootKey?: string
  browserName: string
  logLevel: string
  heartbeatIntervalMs: number
  initializeTimeoutMs: number
  eventLog: boolean
  eventStreamPath?: string
  eventStreamMaxBytes?: number
  /** raw messages kept in memory for retries and quotes (the store has them all) */
  messageCacheMax?: number
  /** message id -> chat, for lookups by id alone */
  messageKeyCacheMax?: number
}

export type WaConnectionState =
  | 'starting' // worker booting, socket not created yet
  | 'connecting' // socket dialing / noise handshake
  | 'awaiting-qr' // not linked: a QR (or pairing code) is on offer
  | 'linking' // the phone scanned; pair-success / 515 restart in progress
  | 'syncing' // logged in, receiving initial history
  | 'open' // ready for use
  | 'reconnecting' // lost the connection, trying again
  | 'logged-out' // the phone removed this device (401); auth cleared, a new QR follows
  | 'replaced' // another client took over the session (440); stopped on purpose
  | 'stopped' // stop() was called

export interface WaDisconnect {
  /** Baileys' DisconnectReason / stream error status code, when there is one. */
  code?: number
  reason: string
  at: number
}

export interface WaIdentity {
  /** Own phone JID (normalized, no device). */
  jid: string
  lid?: string
  name?: string
  /** Own device JID, as Baileys reports `creds.me.id`. */
  deviceJid?: string
}

export interface WaStatus {
  state: WaConnectionState
  linked: boolean
  me?: WaIdentity
  qr?: { value: string; issuedAt: number }
  lastDisconnect?: WaDisconnect
  history?: { syncType: string; progress?: number; messages: number; chats: number; at: number }
  connectedAt?: number
}

/** Structured inputs to the recovery policy, counted once per occurrence (not once per log line). */
export type WaRecoverySignal =
  | { kind: 'closed'; code?: number; reason: string; at: number }
  | { kind: 'open'; at: number }
  | { kind: 'app-state-key-missing'; collection?: string; detail: string; at: number }
  | { kind: 'app-state-sync-failed'; collection?: string; detail: string; at: number }

export type WaWorkerEvent =
  | { type: 'status'; status: WaStatus }
  | { type: 'batch'; batch: EncodedBatch }
  | { type: 'signal'; signal: WaRecoverySignal }
  | { type: 'heartbeat'; at: number; eventLoopLagMs?: number }
  | { type: 'fatal'; message: string; code?: string }

// ------------------------------------------------------------------------------- calls

export interface SendTextRequest {
  to: string
  text: string
  /** Reply to a stored message (its raw bytes are looked up in the store by the worker). */
  quotedMessageId?: string
  mentions?: string[]
  /** the WhatsApp message id to send under (an idempotent send's retry reuses the first one); else a new one */
  messageId?: string
}

export type OutgoingMediaKind = 'image' | 'video' | 'audio' | 'voice' | 'document' | 'sticker'

export interface SendMediaRequest {
  to: string
  kind: OutgoingMediaKind
  /** Absolute path of a file the main thread has already checked and staged. */
  path: string
  mimetype: string
  fileName?: string
  caption?: string
  quotedMessageId?: string
  /** as in SendTextRequest */
  messageId?: string
}

/**
 * A call that wrote to the store says which batch holds its records: `seq` is the number the worker gave
 * that batch, and `Supervisor.write` answers only once the main thread has committed it.
 */
export type Written<T = object> = T & { seq: number }

export type SendResult = Written<{
  /** Chat the message was stored under (canonical JID as WhatsApp addressed it). */
  chatJid: string
  id: string
  timestamp: number
}>

export interface DownloadMediaRequest {
  chatJid: string
  messageId: string
  /** Absolute target path chosen by the main thread (inside MEDIA_DIR). */
  targetPath: string
  maxBytes?: number
}

export type DownloadMediaResult = Written<{
  path: string
  size: number
  mimetype?: string
  /** True when the media had expired and was fetched again after a re-upload request. */
  reuploaded: boolean
}>

/** a contact card to send (a vCard is built from it) */
export interface ContactCard {
  name: string
  phones: string[]
  emails?: string[]
  organization?: string
}

export type PresenceState = 'composing' | 'recording' | 'paused' | 'available' | 'unavailable'

export interface OnWhatsAppResult {
  input: string
  exists: boolean
  jid?: string
  lid?: string
}

export type GroupParticipantAction = 'add' | 'remove' | 'promote' | 'demote'

/** what WhatsApp said about one person of a participants change: `status` 200, or its error code */
export interface GroupParticipantResult {
  jid: string
  status: number
  /** a 403 on add: the person only accepts invites; this code invites them (a group invite message) */
  inviteCode?: string
  inviteExpiration?: number
  /** an invite message was sent to them */
  invited?: boolean
}

/** the group settings one update changes; what is left out stays */
export interface GroupSettings {
  subject?: string
  /** '' removes it */
  description?: string
  /** only admins send messages */
  announce?: boolean
  /** only admins edit the group's subject, description and picture */
  restrict?: boolean
  /** disappearing messages, seconds (0 off) */
  ephemeralSeconds?: number
  /** joining by link waits for an admin's approval */
  joinApproval?: boolean
  /** every member may add others */
  membersCanAdd?: boolean
}

/** what an invite link shows before joining */
export interface GroupInvitePreview {
  jid: string
  subject: string
  size: number
  owner?: string
  description?: string
  creation?: number
  joinApproval: boolean
}

export interface GroupJoinRequest {
  jid: string
  phoneJid?: string
  requestedAt?: number
  method?: string
}

/** what one chat change sets; what is left out stays */
export interface ChatChange {
  archive?: boolean
  pin?: boolean
  /** ms timestamp the mute ends; -1 for ever; 0 unmutes */
  muteUntil?: number
  markUnread?: boolean
  /** deletes every message of the chat on this account's devices */
  clear?: boolean
}

/** the account's own profile; what is left out stays */
export interface ProfileChange {
  /** the push name people see */
  name?: string
  /** the about text */
  about?: string
  /** an image file the main thread has checked and staged */
  picturePath?: string
  removePicture?: boolean
}

/** The comlink-exposed interface of the WhatsApp worker. */
export interface WaWorkerApi {
  /** Creates the socket and connects; resolves once the first connection attempt is under way. */
  start(): Promise<void>
  /** Closes the socket without logging out. */
  stop(): Promise<void>
  status(): WaStatus
  /** Liveness probe answered from the worker's event loop. */
  ping(): number
  /** Phone-number pairing: returns the 8-character code to type on the phone. */
  requestPairingCode(phoneNumber: string): Promise<string>
  /** Logs out on WhatsApp, clears creds and keys (never the message store), then offers a new QR. */
  logout(): Promise<void>
  /** Resets app-state sync versions and resyncs (soft recovery). */
  forceResync(): Promise<void>
  /** Closes the socket and connects again with the same credentials. */
  reconnect(): Promise<void>
  sendText(req: SendTextRequest): Promise<SendResult>
  sendMedia(req: SendMediaRequest): Promise<SendResult>
  sendReaction(req: { chatJid: string; messageId: string; emoji: string }): Promise<SendResult>
  /** MESSAGE_NOT_EDITABLE for another's message or one past WhatsApp's edit window */
  editMessage(req: { chatJid: string; messageId: string; text: string }): Promise<SendResult>
  deleteMessage(req: { chatJid: string; messageId: string; forEveryone: boolean }): Promise<Written>
  forwardMessage(req: { to: string; chatJid: string; messageId: string }): Promise<SendResult>
  sendLocation(req: { to: string; latitude: number; longitude: number; name?: string; address?: string }): Promise<SendResult>
  sendContacts(req: { to: string; contacts: ContactCard[] }): Promise<SendResult>
  sendPoll(req: { to: string; question: string; options: string[]; selectableCount: number }): Promise<SendResult>
  markRead(req: { chatJid: string; messageIds: string[] }): Promise<Written>
  /** composing / recording / paused in a chat, or available / unavailable for the account */
  sendPresence(req: { state: PresenceState; chatJid?: string }): Promise<void>
  downloadMedia(req: DownloadMediaRequest): Promise<DownloadMediaResult>
  groupMetadata(jid: string): Promise<Written<{ group: GroupRecord }>>
  groupsParticipating(): Promise<Written<{ groups: GroupRecord[] }>>
  /** a new group with this account as its admin, then the people added one by one with a result each */
  groupCreate(req: { subject: string; participants: string[]; inviteIfNeeded: boolean }): Promise<Written<{ group: GroupRecord; results: GroupParticipantResult[] }>>
  /** GROUP_NOT_FOUND, GROUP_NOT_ADMIN; otherwise a result per person */
  groupParticipants(req: { groupJid: string; action: GroupParticipantAction; participants: string[]; inviteIfNeeded: boolean }): Promise<Written<{ results: GroupParticipantResult[] }>>
  groupUpdate(req: { groupJid: string } & GroupSettings): Promise<Written<{ group: GroupRecord }>>
  /** the invite code; `revoke` makes a new one and the old link stops working */
  groupInviteCode(req: { groupJid: string; revoke: boolean }): Promise<string>
  /** GROUP_INVITE_INVALID for an unknown or revoked code */
  groupInvitePreview(code: string): Promise<GroupInvitePreview>
  /** joins by invite code; `pending` when the group's admins approve joins first */
  groupJoin(code: string): Promise<Written<{ groupJid: string; pending: boolean }>>
  groupLeave(groupJid: string): Promise<Written>
  /** archive, pin, mute, mark unread or clear a chat (app-state patches); APP_STATE_NOT_READY before the first sync */
  chatModify(req: { chatJid: string } & ChatChange): Promise<Written>
  /** blocks or unblocks a person; the block list after it, by phone JID */
  blockContact(req: { jid: string; block: boolean }): Promise<string[]>
  updateProfile(req: ProfileChange): Promise<void>
  /** a vote on a stored poll: the options by name ([] takes the vote back) */
  votePoll(req: { chatJid: string; messageId: string; options: string[] }): Promise<SendResult>
  /** the join-request queue, after approving and rejecting the people named */
  groupJoinRequests(req: { groupJid: string; approve: string[]; reject: string[] }): Promise<Written<{ requests: GroupJoinRequest[]; results: Array<{ jid: string; status: number; action: 'approve' | 'reject' }> }>>
  profilePictureUrl(jid: string): Promise<string | null>
  onWhatsApp(phoneNumbers: string[]): Promise<OnWhatsAppResult[]>
}

/**
 * What the main thread posts to the worker on the `events` port (no reply, unlike a comlink call): the store
 * committed every batch numbered up to `seq`, so acknowledgements waiting on them may go.
 */
export type WaMainMessage = { type: 'committed'; seq: number }

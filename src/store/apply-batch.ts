// The single writer: applies one StoreBatch in one transaction. Runs in the pool (workers/pool/store-write).
// Identity rule: a person is stored under their phone JID once the LID<->phone mapping is known, and a
// mapping that arrives late merges everything filed under the LID into the phone JID.
import type { StoreBatch, ChatRecord, ContactRecord, MessageRecord, GroupRecord } from './batch.js'
import { isLidJid, isPnJid, normalizeJid, phoneOf } from './jid.js'
import { indexPending } from './fts-index.js'
import { statementCache, type Db } from './open-db.js'
import { EventLogWriter, DEFAULT_RETENTION, type EventRetention } from './event-log.js'

const now = (): number => Date.now()
const b = (v: boolean | undefined): number | undefined => (v === undefined ? undefined : v ? 1 : 0)
/** the binding takes Buffers: a view of the same memory, not a copy */
const bytes = (u: Uint8Array): Buffer => (Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength))

export interface ApplyResult {
  messages: number
  chats: number
  contacts: number
  merged: number
  /** chats (canonical JIDs) that got a new live incoming message: waiters on them are woken */
  incoming?: string[]
  /** chats that got any event: subscribers of their resources are told */
  changed?: string[]
}

class Writer {
  private readonly s
  private readonly lidCache = new Map<string, string | null>()
  private readonly prepare: ReturnType<typeof statementCache>
  private readonly events: EventLogWriter
  /** messages added less messages removed in the write being applied: meta.message_count follows it */
  private messageDelta = 0
  /** whether the batch being applied is live (not a history sync): only live changes are events */
  private live = true
  private readonly incoming = new Set<string>()

  constructor(db: Db) {
    this.prepare = statementCache(db)
    this.events = new EventLogWriter(db)
    const p = (sql: string) => db.prepare(sql)
    this.s = {
      lidGet: p('SELECT pn FROM lid_map WHERE lid = ?'),
      lidPut: p('INSERT INTO lid_map(lid, pn) VALUES (?, ?) ON CONFLICT(lid) DO UPDATE SET pn = excluded.pn WHERE pn IS NOT excluded.pn'),
      contactUpsert: p(`INSERT INTO contacts(jid, lid, phone, name, notify, verified_name, is_my_contact, img_url, status, updated_at)
        VALUES (@jid, @lid, @phone, @name, @notify, @verifiedName, @isMyContact, @imgUrl, @status, @at)
        ON CONFLICT(jid) DO UPDATE SET
          lid = coalesce(excluded.lid, lid), phone = coalesce(excluded.phone, phone), name = coalesce(excluded.name, name),
          notify = coalesce(excluded.notify, notify), verified_name = coalesce(excluded.verified_name, verified_name),
          is_my_contact = coalesce(excluded.is_my_contact, is_my_contact), img_url = coalesce(excluded.img_url, img_url),
          status = coalesce(excluded.status, status), updated_at = excluded.updated_at`),
      chatUpsert: p(`INSERT INTO chats(jid, name, is_group, unread_count, marked_unread, archived, pinned, mute_end, read_only, last_message_at)
        VALUES (@jid, @name, @isGroup, coalesce(@unreadCount, @unreadIncrement, 0), coalesce(@markedUnread, 0), coalesce(@archived, 0), coalesce(@pinned, 0), @muteEnd, coalesce(@readOnly, 0), coalesce(@lastMessageAt, 0))
        ON CONFLICT(jid) DO UPDATE SET
          name = coalesce(excluded.name, name),
          unread_count = CASE WHEN @unreadCount IS NOT NULL THEN @unreadCount ELSE unread_count + coalesce(@unreadIncrement, 0) END,
          marked_unread = CASE WHEN @unreadCount = 0 THEN 0 ELSE coalesce(@markedUnread, marked_unread) END,
          archived = coalesce(@archived, archived), pinned = coalesce(@pinned, pinned), mute_end = coalesce(@muteEnd, mute_end),
          read_only = coalesce(@readOnly, read_only),
          last_message_at = max(coalesce(last_message_at, 0), coalesce(excluded.last_message_at, 0))`),
      msgInsert: p(`INSERT INTO messages(chat_jid, id, from_me, sender_jid, push_name, ts, type, body, media, thumbnail, quoted_id, quoted_sender, mentions, status, from_history, raw)
        VALUES (@chatJid, @id, @fromMe, @senderJid, @pushName, @ts, @type, @body, @media, @thumbnail, @quotedId, @quotedSender, @mentions, @status, @fromHistory, @raw)
        ON CONFLICT(chat_jid, id) DO UPDATE SET
          sender_jid = coalesce(excluded.sender_jid, sender_jid), push_name = coalesce(excluded.push_name, push_name),
          body = CASE WHEN edited_at IS NULL AND revoked = 0 AND NOT (excluded.type = 'system' AND type <> 'system') THEN coalesce(excluded.body, body) ELSE body END,
          type = CASE WHEN type = 'system' AND excluded.type <> 'system' THEN excluded.type ELSE type END,
          media = coalesce(excluded.media, media), thumbnail = coalesce(excluded.thumbnail, thumbnail),
          quoted_id = coalesce(excluded.quoted_id, quoted_id), quoted_sender = coalesce(excluded.quoted_sender, quoted_sender),
          mentions = coalesce(excluded.mentions, mentions), status = max(coalesce(status, 0), coalesce(excluded.status, 0)),
          raw = CASE WHEN excluded.type = 'system' AND type <> 'system' THEN raw ELSE coalesce(excluded.raw, raw) END, from_history = min(from_history, excluded.from_history)`),
      // most messages are new: one insert that tells so, the upsert only for the rest
      msgInsertNew: p(`INSERT OR IGNORE INTO messages(chat_jid, id, from_me, sender_jid, push_name, ts, type, body, media, thumbnail, quoted_id, quoted_sender, mentions, status, from_history, raw)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      msgUpdate: p(`UPDATE messages SET status = max(coalesce(status, 0), coalesce(@status, 0)),
          body = coalesce(@editedBody, body), edited_at = coalesce(@editedAt, edited_at),
          revoked = max(revoked, coalesce(@revoked, 0)), raw = coalesce(@raw, raw), media = coalesce(@media, media)
        WHERE chat_jid = @chatJid AND id = @id`),
      reactionPut: p(`INSERT INTO reactions(chat_jid, message_id, sender_jid, emoji, ts) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT(chat_jid, message_id, sender_jid) DO UPDATE SET emoji = excluded.emoji, ts = excluded.ts WHERE excluded.ts >= ts`),
      reactionDel: p('DELETE FROM reactions WHERE chat_jid = ? AND message_id = ? AND sender_jid = ?'),
      receiptPut: p('INSERT OR IGNORE INTO receipts(chat_jid, message_id, user_jid, type, ts) VALUES (?, ?, ?, ?, ?)'),
      votePut: p(`INSERT INTO poll_votes(chat_jid, poll_id, voter_jid, selected, ts) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT(chat_jid, poll_id, voter_jid) DO UPDATE SET selected = excluded.selected, ts = excluded.ts WHERE excluded.ts >= ts`),
      msgDelete: p('DELETE FROM messages WHERE chat_jid = ? AND id = ?'),
      chatClear: p('DELETE FROM messages WHERE chat_jid = ?'),
      groupUpsert: p(`INSERT INTO groups(jid, subject, subject_owner, subject_time, description, owner, creation, size, announce, restrict_info, left_group, updated_at)
        VALUES (@jid, @subject, @subjectOwner, @subjectTime, @description, @owner, @creation, @size, @announce, @restrict, coalesce(@left, 0), @at)
        ON CONFLICT(jid) DO UPDATE SET subject = coalesce(excluded.subject, subject), subject_owner = coalesce(excluded.subject_owner, subject_owner),
          subject_time = coalesce(excluded.subject_time, subject_time),
          description = CASE WHEN @descriptionSet THEN excluded.description ELSE description END,
          owner = coalesce(excluded.owner, owner), creation = coalesce(excluded.creation, creation), size = coalesce(excluded.size, size),
          announce = coalesce(excluded.announce, announce), restrict_info = coalesce(excluded.restrict_info, restrict_info),
          left_group = coalesce(@left, left_group), updated_at = excluded.updated_at`),
      partClear: p('DELETE FROM group_participants WHERE group_jid = ?'),
      partPut: p(`INSERT INTO group_participants(group_jid, jid, admin) VALUES (?, ?, ?)
        ON CONFLICT(group_jid, jid) DO UPDATE SET admin = excluded.admin`),
      partDel: p('DELETE FROM group_participants WHERE group_jid = ? AND jid = ?'),
      partAdmin: p('UPDATE group_participants SET admin = ? WHERE group_jid = ? AND jid = ?'),
      metaPut: p('INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value')
    }
  }

  /** the phone JID for a LID when known, else the JID itself */
  canon(jid: string | undefined, alt?: string): string | undefined {
    if (!jid) return undefined
    const j = normalizeJid(jid)
    if (!isLidJid(j)) return j
    if (alt && isPnJid(alt)) return normalizeJid(alt)
    let pn = this.lidCache.get(j)
    if (pn === undefined) {
      pn = (this.s.lidGet.get(j) as { pn: string } | undefined)?.pn ?? null
      this.lidCache.set(j, pn)
    }
    return pn ?? j
  }

  /** learns lid<->pn; returns true when rows filed under the LID were merged */
  mapping(lidIn: string, pnIn: string): boolean {
    const lid = normalizeJid(lidIn)
    const pn = normalizeJid(pnIn)
    if (!isLidJid(lid) || !isPnJid(pn)) return false
    const known = this.lidCache.get(lid) ?? (this.s.lidGet.get(lid) as { pn: string } | undefined)?.pn
    this.lidCache.set(lid, pn)
    if (known === pn) return false
    this.s.lidPut.run(lid, pn)
    return this.merge(lid, pn)
  }

  /** moves everything stored under `from` (a LID) to `to` (its phone JID): one person, one row, one chat */
  private merge(from: string, to: string): boolean {
    // statements from the cache: a history sync learns a mapping per chat, each one a merge
    const had = this.prepare('SELECT (SELECT count(*) FROM messages WHERE chat_jid = ?) + (SELECT count(*) FROM chats WHERE jid = ?) + (SELECT count(*) FROM contacts WHERE jid = ?) AS n').get(from, from, from) as { n: number }
    this.prepare('UPDATE OR IGNORE messages SET chat_jid = ? WHERE chat_jid = ?').run(to, from)
    // what the move left behind are duplicates of rows the phone chat has already
    this.messageDelta -= this.prepare('DELETE FROM messages WHERE chat_jid = ?').run(from).changes
    this.prepare('UPDATE messages SET sender_jid = ? WHERE sender_jid = ?').run(to, from)
    this.prepare('UPDATE messages SET quoted_sender = ? WHERE quoted_sender = ?').run(to, from)
    const old = this.prepare('SELECT * FROM chats WHERE jid = ?').get(from) as Record<string, number | string | null> | undefined
    if (old) {
      this.prepare(`INSERT INTO chats(jid, name, is_group, unread_count, marked_unread, archived, pinned, mute_end, read_only, last_message_at)
        VALUES (@to, @name, 0, @unread_count, @marked_unread, @archived, @pinned, @mute_end, @read_only, coalesce(@last_message_at, 0))
        ON CONFLICT(jid) DO UPDATE SET name = coalesce(name, excluded.name), unread_count = unread_count + excluded.unread_count,
          marked_unread = max(marked_unread, excluded.marked_unread), archived = max(archived, excluded.archived), pinned = max(pinned, excluded.pinned),
          mute_end = coalesce(mute_end, excluded.mute_end), last_message_at = max(coalesce(last_message_at, 0), coalesce(excluded.last_message_at, 0))`).run({ ...old, to })
      this.prepare('DELETE FROM chats WHERE jid = ?').run(from)
    }
    const oldContact = this.prepare('SELECT * FROM contacts WHERE jid = ?').get(from) as Record<string, unknown> | undefined
    if (oldContact) {
      this.prepare('DELETE FROM contacts WHERE jid = ?').run(from)
      this.s.contactUpsert.run({ jid: to, lid: from, phone: phoneOf(to), name: oldContact.name, notify: oldContact.notify, verifiedName: oldContact.verified_name, isMyContact: oldContact.is_my_contact, imgUrl: oldContact.img_url, status: oldContact.status, at: now() })
    } else {
      this.s.contactUpsert.run({ jid: to, lid: from, phone: phoneOf(to), name: null, notify: null, verifiedName: null, isMyContact: null, imgUrl: null, status: null, at: now() })
    }
    for (const t of ['reactions', 'receipts', 'poll_votes']) {
      this.prepare(`UPDATE OR IGNORE ${t} SET chat_jid = ? WHERE chat_jid = ?`).run(to, from)
      this.prepare(`DELETE FROM ${t} WHERE chat_jid = ?`).run(from)
    }
    this.prepare('UPDATE OR IGNORE reactions SET sender_jid = ? WHERE sender_jid = ?').run(to, from)
    this.prepare('UPDATE OR IGNORE group_participants SET jid = ? WHERE jid = ?').run(to, from)
    this.prepare('DELETE FROM group_participants WHERE jid = ?').run(from)
    return had.n > 0
  }

  contact(c: ContactRecord): void {
    if (c.jidAlt) this.mapPair(c.jid, c.jidAlt)
    const jid = this.canon(c.jid, c.jidAlt)!
    const lid = isLidJid(normalizeJid(c.jid)) ? normalizeJid(c.jid) : c.jidAlt && isLidJid(c.jidAlt) ? normalizeJid(c.jidAlt) : undefined
    // a name equal to the JID or the bare number is not a name
    const real = (n: string | undefined): string | undefined => (n && n !== c.jid && n !== jid && n !== phoneOf(jid) && n.trim() ? n : undefined)
    if (this.live && (real(c.name) || real(c.notify))) {
      const was = this.prepare('SELECT name, notify FROM contacts WHERE jid = ?').get(jid) as { name: string | null; notify: string | null } | undefined
      const name = real(c.name) && real(c.name) !== was?.name ? real(c.name) : undefined
      const notify = real(c.notify) && real(c.notify) !== was?.notify ? real(c.notify) : undefined
      if (was && (name || notify)) this.events.record('contact_renamed', jid, null, jid, { ...(name ? { name } : {}), ...(notify ? { push_name: notify } : {}) })
    }
    this.s.contactUpsert.run({
      jid,
      lid: lid ?? null,
      phone: phoneOf(jid) ?? (c.phoneNumber ? c.phoneNumber.replace(/\D/g, '') : null),
      name: real(c.name) ?? null,
      notify: real(c.notify) ?? null,
      verifiedName: real(c.verifiedName) ?? null,
      isMyContact: b(c.isMyContact) ?? null,
      imgUrl: c.imgUrl ?? null,
      status: c.status ?? null,
      at: now()
    })
  }

  private mapPair(a: string, b2: string): boolean {
    if (isLidJid(a) && isPnJid(b2)) return this.mapping(a, b2)
    if (isPnJid(a) && isLidJid(b2)) return this.mapping(b2, a)
    return false
  }

  chat(c: ChatRecord): void {
    if (c.jidAlt) this.mapPair(c.jid, c.jidAlt)
    const jid = this.canon(c.jid, c.jidAlt)!
    const name = c.name && c.name !== c.jid && c.name !== jid && c.name !== phoneOf(jid) ? c.name : null
    if (this.live) this.chatEvent(jid, c)
    this.s.chatUpsert.run({
      jid,
      name,
      isGroup: c.isGroup ?? jid.endsWith('@g.us') ? 1 : 0,
      unreadCount: c.unreadCount === undefined ? null : Math.max(0, c.unreadCount),
      unreadIncrement: c.unreadIncrement ?? null,
      markedUnread: b(c.markedUnread) ?? null,
      archived: b(c.archived) ?? null,
      pinned: b(c.pinned) ?? null,
      muteEnd: c.muteEndTime ?? null,
      readOnly: b(c.readOnly) ?? null,
      lastMessageAt: c.lastMessageAt ?? null
    })
  }

  /** a live change of a chat's own state (archive, pin, mute, read / unread) as an event */
  private chatEvent(jid: string, c: ChatRecord): void {
    if (c.archived === undefined && c.pinned === undefined && c.muteEndTime === undefined && c.markedUnread === undefined && c.unreadCount !== 0) return
    const was = this.prepare('SELECT archived, pinned, mute_end, marked_unread, unread_count FROM chats WHERE jid = ?').get(jid) as
      | { archived: number; pinned: number; mute_end: number | null; marked_unread: number; unread_count: number }
      | undefined
    if (!was) return
    const d: Record<string, unknown> = {}
    if (c.archived !== undefined && b(c.archived) !== was.archived) d.archived = c.archived
    if (c.pinned !== undefined && b(c.pinned) !== was.pinned) d.pinned = c.pinned
    if (c.muteEndTime !== undefined && c.muteEndTime !== was.mute_end) d.muted_until = c.muteEndTime === -1 ? 'forever' : c.muteEndTime > 0 ? new Date(c.muteEndTime).toISOString() : null
    if (c.markedUnread && !was.marked_unread) d.marked_unread = true
    if (c.unreadCount === 0 && (was.unread_count > 0 || was.marked_unread)) d.read = true
    if (Object.keys(d).length) this.events.record('chat_updated', jid, null, null, d)
  }

  /** touched chats and push names seen in this batch: written once each, after the messages */
  private pendingChats = new Map<string, number>()
  private pendingNames = new Map<string, { jid: string; jidAlt?: string; notify: string }>()

  message(m: MessageRecord): boolean {
    if (m.chatJidAlt) this.mapPair(m.chatJid, m.chatJidAlt)
    if (m.senderJid && m.senderJidAlt) this.mapPair(m.senderJid, m.senderJidAlt)
    const chatJid = this.canon(m.chatJid, m.chatJidAlt)!
    const senderJid = this.canon(m.senderJid, m.senderJidAlt) ?? null
    const media = m.media ? JSON.stringify({ ...m.media, jpegThumbnail: undefined }) : null
    const thumb = m.media?.jpegThumbnail
    const thumbnail = thumb?.length ? bytes(thumb) : null
    const quotedSender = m.quotedSenderJid ? (this.canon(m.quotedSenderJid) ?? null) : null
    const mentions = m.mentions?.length ? JSON.stringify(m.mentions.map((j) => this.canon(j))) : null
    const raw = m.raw ? bytes(m.raw) : null
    // positional, and no row object: binding sixteen named parameters from an object costs over a
    // microsecond more per row, and a history sync writes a hundred thousand
    const isNew = this.s.msgInsertNew.run(chatJid, m.id, m.fromMe ? 1 : 0, senderJid, m.pushName ?? null, m.timestamp, m.type, m.body ?? null, media, thumbnail, m.quotedId ?? null, quotedSender, mentions, m.status ?? null, m.fromHistory ? 1 : 0, raw).changes === 1
    if (!isNew) {
      this.s.msgInsert.run({ chatJid, id: m.id, fromMe: m.fromMe ? 1 : 0, senderJid, pushName: m.pushName ?? null, ts: m.timestamp, type: m.type, body: m.body ?? null, media, thumbnail, quotedId: m.quotedId ?? null, quotedSender, mentions, status: m.status ?? null, fromHistory: m.fromHistory ? 1 : 0, raw })
    } else {
      this.messageDelta++
      if (!m.fromHistory && this.live && m.type !== 'system') {
        this.events.record('message', chatJid, m.id, senderJid, { type: m.type, ...(m.fromMe ? { from_me: true } : {}) }, m.timestamp)
        if (!m.fromMe) this.incoming.add(chatJid)
      }
    }
    // the chat exists as soon as a message does, and knows its newest message
    this.pendingChats.set(chatJid, Math.max(this.pendingChats.get(chatJid) ?? 0, m.timestamp))
    if (m.pushName && !m.fromMe && m.senderJid) this.pendingNames.set(m.senderJid, { jid: m.senderJid, jidAlt: m.senderJidAlt, notify: m.pushName })
    return isNew
  }

  private flushTouched(): void {
    for (const [jid, at] of this.pendingChats) this.s.chatUpsert.run({ jid, name: null, isGroup: jid.endsWith('@g.us') ? 1 : 0, unreadCount: null, unreadIncrement: null, markedUnread: null, archived: null, pinned: null, muteEnd: null, readOnly: null, lastMessageAt: at })
    for (const c of this.pendingNames.values()) this.contact(c)
    this.pendingChats.clear()
    this.pendingNames.clear()
  }

  group(g: GroupRecord): void {
    const jid = normalizeJid(g.jid)
    if (this.live && (g.subject !== undefined || g.description !== undefined || g.announce !== undefined || g.restrict !== undefined)) {
      const was = this.prepare('SELECT subject, description, announce, restrict_info FROM groups WHERE jid = ?').get(jid) as { subject: string | null; description: string | null; announce: number | null; restrict_info: number | null } | undefined
      const d: Record<string, unknown> = {}
      if (was && g.subject && g.subject !== was.subject) d.subject = g.subject
      if (was && g.description !== undefined && (g.description ?? null) !== was.description) d.description = g.description ?? null
      if (was && g.announce !== undefined && b(g.announce) !== was.announce) d.only_admins_send = g.announce
      if (was && g.restrict !== undefined && b(g.restrict) !== was.restrict_info) d.only_admins_edit_info = g.restrict
      if (Object.keys(d).length) this.events.record('group_updated', jid, null, this.canon(g.subjectOwner) ?? null, d)
    }
    this.s.groupUpsert.run({
      jid,
      subject: g.subject ?? null,
      subjectOwner: this.canon(g.subjectOwner) ?? null,
      subjectTime: g.subjectTime ?? null,
      description: g.description ?? null,
      descriptionSet: g.description !== undefined ? 1 : 0,
      owner: this.canon(g.owner) ?? null,
      creation: g.creation ?? null,
      size: g.size ?? g.participants?.length ?? null,
      announce: b(g.announce) ?? null,
      restrict: b(g.restrict) ?? null,
      left: b(g.left) ?? null,
      at: now()
    })
    if (g.subject) this.chat({ jid, name: g.subject, isGroup: true })
    if (g.participants) {
      this.s.partClear.run(jid)
      for (const p of g.participants) {
        if (p.jidAlt) this.mapPair(p.jid, p.jidAlt)
        this.s.partPut.run(jid, this.canon(p.jid, p.jidAlt), p.admin ?? null)
      }
    }
  }

  /** fills the full-text index for the messages this transaction added (fts-index.ts) */
  indexPending(): void {
    indexPending(this.prepare)
  }

  /** a write begins: a count left by one that failed half way was rolled back with it */
  beginWrite(): void {
    this.messageDelta = 0
  }

  /** adds the write's change in messages to meta.message_count (what the store's counts report) */
  countMessages(): void {
    if (this.messageDelta) this.prepare(`UPDATE meta SET value = CAST(value AS INTEGER) + ? WHERE key = 'message_count'`).run(this.messageDelta)
    this.messageDelta = 0
  }

  apply(batch: StoreBatch, retention: EventRetention = DEFAULT_RETENTION): ApplyResult {
    let messages = 0
    let merged = 0
    this.live = !batch.historySync
    this.incoming.clear()
    this.events.touched.clear()
    for (const m of batch.lidMappings ?? []) if (this.mapping(m.lid, m.pn)) merged++
    for (const c of batch.contacts ?? []) this.contact(c)
    for (const g of batch.groups ?? []) this.group(g)
    for (const c of batch.chats ?? []) this.chat(c)
    for (const m of batch.messages ?? []) if (m.chatJid && m.id && this.message(m)) messages++
    this.flushTouched()
    for (const u of batch.messageUpdates ?? []) {
      if (u.editedBody !== undefined || u.revoked || u.status !== undefined) this.updateEvent(u)
      this.s.msgUpdate.run({
        chatJid: this.canon(u.chatJid, u.chatJidAlt),
        id: u.id,
        status: u.status ?? null,
        editedBody: u.editedBody ?? null,
        editedAt: u.editedAt ?? null,
        revoked: u.revoked ? 1 : null,
        raw: u.raw ? Buffer.from(u.raw) : null,
        media: u.media ? JSON.stringify({ ...u.media, jpegThumbnail: undefined }) : null
      })
    }
    for (const r of batch.reactions ?? []) {
      const chat = this.canon(r.chatJid, r.chatJidAlt)
      const sender = this.canon(r.senderJid, r.senderJidAlt)
      // a record missing what its row needs is dropped alone, never the batch around it
      if (!chat || !sender || !r.messageId) continue
      const changed = r.emoji ? this.s.reactionPut.run(chat, r.messageId, sender, r.emoji, r.timestamp).changes : this.s.reactionDel.run(chat, r.messageId, sender).changes
      if (changed) this.events.record('reaction', chat, r.messageId, sender, { emoji: r.emoji }, r.timestamp)
    }
    for (const r of batch.receipts ?? []) {
      if (!r.chatJid || !r.userJid || !r.messageId) continue
      const chat = this.canon(r.chatJid, r.chatJidAlt)
      const user = this.canon(r.userJid, r.userJidAlt)
      if (this.s.receiptPut.run(chat, r.messageId, user, r.type, r.timestamp).changes) this.events.record('receipt', chat, r.messageId, user, { type: r.type }, r.timestamp)
    }
    for (const v of batch.pollVotes ?? []) {
      const chat = this.canon(v.chatJid, v.chatJidAlt)
      const voter = this.canon(v.voterJid, v.voterJidAlt)
      if (this.s.votePut.run(chat, v.pollMessageId, voter, JSON.stringify(v.selected), v.timestamp).changes) this.events.record('poll_vote', chat, v.pollMessageId, voter, { selected: v.selected }, v.timestamp)
    }
    for (const p of batch.participants ?? []) {
      const g = normalizeJid(p.groupJid)
      if (this.live) this.events.record('group_participants', g, null, this.canon(p.actorJid) ?? null, { action: p.action, participants: p.participants.map((x) => this.canon(x.jid, x.jidAlt)) })
      for (const part of p.participants) {
        if (part.jidAlt) this.mapPair(part.jid, part.jidAlt)
        const jid = this.canon(part.jid, part.jidAlt)
        if (p.action === 'add') this.s.partPut.run(g, jid, part.admin ?? null)
        else if (p.action === 'remove') this.s.partDel.run(g, jid)
        else if (p.action === 'promote') this.s.partAdmin.run('admin', g, jid)
        else if (p.action === 'demote') this.s.partAdmin.run(null, g, jid)
      }
    }
    for (const d of batch.deletes ?? []) {
      const chat = this.canon(d.chatJid, d.chatJidAlt)
      if (d.ids) for (const id of d.ids) this.messageDelta -= this.s.msgDelete.run(chat, id).changes
      else this.messageDelta -= this.s.chatClear.run(chat).changes
    }
    if (batch.historySync) this.s.metaPut.run('history_sync', JSON.stringify({ ...batch.historySync, at: now() }))
    if (batch.connection) this.events.record('connection', null, null, null, { state: batch.connection.state, ...(batch.connection.reason ? { reason: batch.connection.reason } : {}) }, batch.connection.at)
    this.events.maybePrune(retention)
    return { messages, chats: batch.chats?.length ?? 0, contacts: batch.contacts?.length ?? 0, merged, ...(this.incoming.size ? { incoming: [...this.incoming] } : {}), ...(this.events.touched.size ? { changed: [...this.events.touched] } : {}) }
  }

  /** an edit, a revoke or a delivery / read status of a stored message, when it changes something */
  private updateEvent(u: NonNullable<StoreBatch['messageUpdates']>[number]): void {
    const chat = this.canon(u.chatJid, u.chatJidAlt)
    const was = this.prepare('SELECT status, body, revoked, from_me, sender_jid FROM messages WHERE chat_jid = ? AND id = ?').get(chat, u.id) as { status: number | null; body: string | null; revoked: number; from_me: number; sender_jid: string | null } | undefined
    if (!was) return
    if (u.revoked && !was.revoked) this.events.record('message_revoked', chat, u.id, was.sender_jid)
    else if (u.editedBody !== undefined && u.editedBody !== was.body) this.events.record('message_edited', chat, u.id, was.sender_jid, undefined, u.editedAt ?? Date.now())
    if (u.status !== undefined && was.from_me && u.status > (was.status ?? 0) && u.status >= 3) this.events.record('receipt', chat, u.id, null, { type: u.status >= 5 ? 'played' : u.status >= 4 ? 'read' : 'delivered' })
  }
}

const writers = new WeakMap<Db, Writer>()

function writerOf(db: Db): Writer {
  let w = writers.get(db)
  if (!w) {
    w = new Writer(db)
    writers.set(db, w)
  }
  return w
}

export function applyBatch(db: Db, batch: StoreBatch, retention?: EventRetention): ApplyResult {
  return applyBatches(db, [batch], retention)
}

/**
 * Batches in one transaction, in order, and the full-text index filled once at the end: a history sync
 * hands the writer dozens of batches per write, and FTS5 writes a segment of its own for every statement
 * that adds to it, which later merges have to fold together again.
 */
export function applyBatches(db: Db, batches: readonly StoreBatch[], retention?: EventRetention): ApplyResult {
  const writer = writerOf(db)
  writer.beginWrite()
  return db.transaction(() => {
    const total: ApplyResult = { messages: 0, chats: 0, contacts: 0, merged: 0 }
    let incoming: Set<string> | undefined
    let changed: Set<string> | undefined
    for (const batch of batches) {
      const r = writer.apply(batch, retention)
      total.messages += r.messages
      total.chats += r.chats
      total.contacts += r.contacts
      total.merged += r.merged
      if (r.incoming) for (const c of r.incoming) (incoming ??= new Set()).add(c)
      if (r.changed) for (const c of r.changed) (changed ??= new Set()).add(c)
    }
    writer.indexPending()
    writer.countMessages()
    if (incoming) total.incoming = [...incoming]
    if (changed) total.changed = [...changed]
    return total
  })()
}

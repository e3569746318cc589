// What WhatsApp sends the account, as store records: history sets, new messages, poll votes and every live
// update of one Baileys flush. History notifications are tracked so their hist_sync receipts leave only once
// the chunk they carried is committed.
import { PROCESSABLE_HISTORY_TYPES, getHistoryMsg, jidNormalizedUser, proto, type BaileysEventMap, type WASocket, type WAMessage } from '@whiskeysockets/baileys'
import type { PollVoteRecord, StoreBatch } from '../../src/store/batch.js'
import { withoutNameEchoes } from '../../src/store/batch-merge.js'
import { historyToBatch, liveUpdatesToBatches, upsertToBatch, type Me } from './normalize.js'
import { decodeVote } from './poll-votes.js'
import type { StoreOutbox } from './store-outbox.js'
import type { StoreReader } from './store-reader.js'

export interface InboundDeps {
  outbox: StoreOutbox
  reader: StoreReader
  /** the socket events are taken from now (a stale one's late work is dropped) */
  current(): WASocket | undefined
  /** a history set was handed to the store */
  onHistory(h: BaileysEventMap['messaging-history.set'], syncType: string): void
}

export class Inbound {
  /** history notifications Baileys is downloading, in order: the next history set carries them */
  private historyInFlight: string[] = []
  /** how many entries creds.processedHistoryMessages had when last seen */
  private historyKnown = 0

  constructor(private readonly d: InboundDeps) {}

  /** a new socket: `known` history notifications were processed before it */
  reset(known: number): void {
    this.historyKnown = known
    this.historyInFlight = []
  }

  /**
   * Baileys adds a history notification to `creds.processedHistoryMessages` just before it downloads the
   * chunk, and emits the chunk as one history set when done; it handles notifications one at a time. So
   * once Baileys' event buffer is emptied of what came before, the next history set carries exactly the
   * notifications registered here, and their `hist_sync` receipts may leave when it is committed.
   */
  historyStarted(sock: WASocket, ids: string[]): void {
    // a chunk WhatsApp delivers again is appended once more: the new entries are the list's tail
    const fresh = ids.slice(this.historyKnown)
    this.historyKnown = ids.length
    if (!fresh.length) return
    queueMicrotask(() => {
      if (sock !== this.d.current()) return
      sock.ev.flush()
      this.historyInFlight.push(...fresh)
    })
  }

  /** the store records of one flush of Baileys' events */
  handle(events: Partial<BaileysEventMap>, me: Me): void {
    const { outbox } = this.d
    const h = events['messaging-history.set']
    if (h) {
      const b = historyToBatch(h, me)
      outbox.add(b)
      // the chunks of every notification whose download began before this set are in it (historyStarted)
      for (const id of this.historyInFlight.splice(0)) outbox.tookIn(`hist:${id}`)
      this.d.onHistory(h, b.historySync!.syncType)
    }
    let upserted: StoreBatch | undefined
    const up = events['messages.upsert']
    if (up) {
      for (const m of up.messages) if (m.key.remoteJid) this.d.reader.remember(jidNormalizedUser(m.key.remoteJid), m)
      upserted = upsertToBatch(up.messages, up.type, me)
      outbox.add(upserted)
      for (const m of up.messages) {
        if (!m.key.id) continue
        outbox.tookIn(m.key.id)
        this.historyWithoutCreds(m)
      }
      const votes = up.messages.map((m) => this.pollVote(m, me)).filter((v) => !!v)
      if (votes.length) outbox.add({ pollVotes: votes })
    }
    for (const b of liveUpdatesToBatches(events, me, (c) => withoutNameEchoes(c, upserted?.messages ?? []))) outbox.add(b)
  }

  /**
   * The notifications Baileys does not list in the creds: an on-demand chunk is still downloaded and comes
   * as the next history set; a type Baileys does not process brings nothing to store, so its hist_sync
   * receipt may go with the notification itself.
   */
  private historyWithoutCreds(m: WAMessage): void {
    const h = m.message ? getHistoryMsg(m.message) : undefined
    if (!h || !m.key.id) return
    const type = Number(h.syncType ?? 0)
    if (!(PROCESSABLE_HISTORY_TYPES as readonly number[]).includes(type)) this.d.outbox.tookIn(`hist:${m.key.id}`)
    else if (type === Number(proto.HistorySync.HistorySyncType.ON_DEMAND)) this.historyInFlight.push(m.key.id)
  }

  private pollVote(m: WAMessage, me: Me): PollVoteRecord | undefined {
    const update = m.message?.pollUpdateMessage
    const pollKey = update?.pollCreationMessageKey
    if (!update || !pollKey?.id || !m.key.remoteJid) return undefined
    const chat = jidNormalizedUser(m.key.remoteJid)
    const poll = this.d.reader.rawMessage(chat, pollKey.id)
    if (!poll) return undefined
    const forms = (...jids: Array<string | null | undefined>) => [...new Set(jids.filter((j): j is string => !!j).map((j) => jidNormalizedUser(j)))]
    const alts = (k: WAMessage['key']) => k as { participantAlt?: string; remoteJidAlt?: string }
    const inGroup = chat.endsWith('@g.us')
    const creatorJids = poll.key.fromMe ? forms(me.jid, me.lid) : forms(poll.key.participant, alts(poll.key).participantAlt, inGroup ? undefined : chat, alts(poll.key).remoteJidAlt)
    const voterJids = m.key.fromMe ? forms(me.jid, me.lid) : forms(m.key.participant, alts(m.key).participantAlt, inGroup ? undefined : chat, alts(m.key).remoteJidAlt)
    return decodeVote(m, { poll, creatorJids, voterJids })
  }
}

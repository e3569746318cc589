// Poll votes travel encrypted with the poll's secret (Baileys rc14 leaves them to the app), both ways.
// Incoming: decrypted with the stored poll message, naming the chosen options; JIDs may be the phone or the
// LID form on either side, so every pairing is tried and the GCM tag tells which one is right. Outgoing:
// the chosen options' hashes, encrypted the same way WhatsApp does.
import { createHash, createHmac, randomBytes } from 'node:crypto'
import { aesEncryptGCM, decryptPollVote, normalizeMessageContent, proto, type WAMessage } from '@whiskeysockets/baileys'
import type { PollVoteRecord } from '../../src/store/batch.js'

export interface PollContext {
  /** the stored poll creation message */
  poll: WAMessage
  /** every JID the poll's creator and the voter may be named by */
  creatorJids: string[]
  voterJids: string[]
}

export function decodeVote(vote: WAMessage, ctx: PollContext): PollVoteRecord | undefined {
  const update = normalizeMessageContent(vote.message)?.pollUpdateMessage
  const pollContent = normalizeMessageContent(ctx.poll.message)
  const secret = ctx.poll.message?.messageContextInfo?.messageSecret
  const creation = pollContent?.pollCreationMessage ?? pollContent?.pollCreationMessageV2 ?? pollContent?.pollCreationMessageV3
  if (!update?.vote?.encPayload || !update.vote.encIv || !secret || !creation || !ctx.poll.key.id) return undefined
  for (const pollCreatorJid of ctx.creatorJids) {
    for (const voterJid of ctx.voterJids) {
      try {
        const decoded = decryptPollVote(update.vote as never, { pollCreatorJid, pollMsgId: ctx.poll.key.id, pollEncKey: secret, voterJid })
        const hashes = new Set((decoded.selectedOptions ?? []).map((h) => Buffer.from(h).toString('hex')))
        const selected = (creation.options ?? []).map((o) => o.optionName ?? '').filter((name) => hashes.has(createHash('sha256').update(name).digest('hex')))
        return { chatJid: ctx.poll.key.remoteJid!, pollMessageId: ctx.poll.key.id, voterJid, selected, timestamp: Number(update.senderTimestampMs ?? Date.now()) }
      } catch {
        // not this pairing
      }
    }
  }
  return undefined
}

/** the options of a stored poll message and how many may be chosen (0 = any); undefined when it is no poll */
export function pollOptions(poll: WAMessage): { options: string[]; selectable: number } | undefined {
  const c = normalizeMessageContent(poll.message)
  const creation = c?.pollCreationMessage ?? c?.pollCreationMessageV2 ?? c?.pollCreationMessageV3
  if (!creation) return undefined
  return { options: (creation.options ?? []).map((o) => o.optionName ?? ''), selectable: creation.selectableOptionsCount ?? 0 }
}

/** a vote for `chosen` on `poll` by `voterJid`, as the pollUpdateMessage WhatsApp carries; undefined without the poll's secret */
export function encryptVote(poll: WAMessage, ids: { creatorJid: string; voterJid: string }, chosen: string[]): proto.Message.IPollUpdateMessage | undefined {
  const secret = poll.message?.messageContextInfo?.messageSecret
  const pollId = poll.key.id
  if (!secret || !pollId) return undefined
  const sign = Buffer.concat([Buffer.from(pollId), Buffer.from(ids.creatorJid), Buffer.from(ids.voterJid), Buffer.from('Poll Vote'), Buffer.from([1])])
  const key0 = createHmac('sha256', Buffer.alloc(32)).update(secret).digest()
  const encKey = createHmac('sha256', key0).update(sign).digest()
  const iv = randomBytes(12)
  const plain = proto.Message.PollVoteMessage.encode({ selectedOptions: chosen.map((o) => createHash('sha256').update(o).digest()) }).finish()
  const encPayload = aesEncryptGCM(plain, encKey, iv, Buffer.from(`${pollId}\u0000${ids.voterJid}`))
  return { pollCreationMessageKey: poll.key, vote: { encPayload, encIv: iv }, senderTimestampMs: Date.now() }
}

// Poll votes arrive encrypted with the poll's secret (Baileys rc14 leaves them to the app): decrypt them
// with the stored poll message and name the chosen options. JIDs may be the phone or the LID form on either
// side, so every pairing is tried; the GCM tag tells which one is right.
import { createHash } from 'node:crypto'
import { decryptPollVote, normalizeMessageContent, type WAMessage } from '@whiskeysockets/baileys'
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

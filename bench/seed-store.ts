// Seeds a store to a realistic size through the product's own writer (applyBatch), in batches, before the
// server starts on it: chats, contacts, messages with searchable text.
import { openWriter } from '../src/store/open-db.js'
import { applyBatch } from '../src/store/apply-batch.js'
import type { MessageRecord } from '../src/store/batch.js'

const WORDS = 'meeting tomorrow café coffee project deadline invoice travel berlin paris photo birthday dinner football weather report budget family holiday music book'.split(' ')

// 5000 pseudo-words for the long tail: each appears in about 1 message in 5000
const RARE = Array.from({ length: 5000 }, (_, i) => `w${((i * 2654435761) % 4294967296).toString(36)}`)
export const RARE_WORD = RARE[42]!

export interface SeedResult {
  chats: number
  messages: number
  contacts: number
  ms: number
  sampleChat: string
  sampleMessageId: string
}

export function seedStore(dbPath: string, chats: number, messages: number, contacts: number): SeedResult {
  const t0 = Date.now()
  const db = openWriter(dbPath)
  const now = Date.now()
  const perChat = Math.max(1, Math.floor(messages / chats))
  const contactsBatch = Array.from({ length: contacts }, (_, i) => ({ jid: `49${String(1500000000 + i)}@s.whatsapp.net`, name: `Person ${i} ${WORDS[i % WORDS.length]}`, notify: `P${i}` }))
  for (let i = 0; i < contactsBatch.length; i += 5000) applyBatch(db, { contacts: contactsBatch.slice(i, i + 5000) })
  let written = 0
  let batch: MessageRecord[] = []
  const flush = () => {
    if (batch.length) applyBatch(db, { messages: batch })
    batch = []
  }
  for (let c = 0; c < chats; c++) {
    const jid = `49${String(1500000000 + (c % contacts))}@s.whatsapp.net`
    for (let m = 0; m < perChat; m++) {
      const n = c * perChat + m
      // a few common words and one from a long tail, roughly as real chat text is distributed
      const rare = RARE[(n * 7919) % RARE.length]
      batch.push({ chatJid: jid, id: `B${c.toString(36)}X${m.toString(36)}`, fromMe: m % 3 === 0, senderJid: jid, timestamp: now - (perChat - m) * 60_000 - c, type: 'text', body: `${WORDS[n % WORDS.length]} ${WORDS[(n * 7) % WORDS.length]} message ${n} about the ${rare} ${WORDS[(n * 13) % WORDS.length]}`, fromHistory: true })
      written++
      if (batch.length >= 10_000) flush()
    }
  }
  flush()
  db.close()
  return { chats, messages: written, contacts, ms: Date.now() - t0, sampleChat: '491500000000@s.whatsapp.net', sampleMessageId: `B0X0` }
}

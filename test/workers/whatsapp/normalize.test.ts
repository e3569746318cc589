// The Baileys -> store mapping of messages: what a history sync's plain text keeps, and what it is rebuilt as.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { proto, type WAMessage } from '@whiskeysockets/baileys'
import { messageRecord, plainTextMessage } from '../../../workers/whatsapp/normalize.js'

const decoded = (m: proto.IWebMessageInfo): WAMessage => proto.WebMessageInfo.decode(proto.WebMessageInfo.encode(m).finish()) as WAMessage
const me = { jid: '15550000001@s.whatsapp.net' }

test('a history message that is only its text is stored without its raw form; anything more keeps it', () => {
  const plain = decoded({ key: { remoteJid: '15550000002@s.whatsapp.net', id: 'P1', fromMe: false }, message: { conversation: 'hello' }, messageTimestamp: 1_700_000_000, pushName: 'Ada' })
  const rec = messageRecord(plain, me, true)!
  assert.equal(rec.raw, undefined)
  assert.equal(rec.timestamp, 1_700_000_000_000, 'a Long timestamp in seconds becomes milliseconds')
  assert.ok(messageRecord(plain, me, false)!.raw, 'a live message keeps its raw form')
  const variants: proto.IWebMessageInfo[] = [
    { ...plain, message: { extendedTextMessage: { text: 'see https://example.org', matchedText: 'https://example.org' } } },
    { ...plain, message: { conversation: 'hello', messageContextInfo: { messageSecret: new Uint8Array(32) } } },
    { ...plain, reactions: [{ text: '👍', key: { id: 'R1' } }] },
    { ...plain, userReceipt: [{ userJid: '15550000002@s.whatsapp.net', readTimestamp: 1 }] },
    { ...plain, starred: true }
  ]
  for (const v of variants) assert.ok(messageRecord(decoded(v), me, true)!.raw, `kept: ${JSON.stringify(Object.keys(v))}`)
})

test('plainTextMessage rebuilds what the raw form of a plain message held', () => {
  const group = decoded({ key: { remoteJid: '120363000000000001@g.us', id: 'G1', fromMe: false, participant: '15550000002@s.whatsapp.net' }, message: { conversation: 'in the group' }, messageTimestamp: 1_700_000_001, pushName: 'Ada' })
  const rec = messageRecord(group, me, true)!
  const back = plainTextMessage({ chatJid: rec.chatJid, id: rec.id, fromMe: rec.fromMe, senderJid: rec.senderJid, pushName: rec.pushName, ts: rec.timestamp, body: rec.body ?? null })
  assert.deepEqual(proto.WebMessageInfo.encode(back).finish(), proto.WebMessageInfo.encode(group).finish())
})

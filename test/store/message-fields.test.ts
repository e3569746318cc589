// Issue 18: a received vCard kept only the name; the numbers are the point of sending one.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { cardsJson, parseVcards } from '../../src/store/message-fields.js'

test('issue 18: vCards are read into cards with every number, the WhatsApp JID where the card names one', () => {
  const apple = 'BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lovelace;Ada;;;\r\nFN:Ada Lovelace\r\nitem1.TEL;waid=447700900123:+44 7700 900123\r\nitem1.X-ABLabel:Mobile\r\nTEL;type=HOME:+44 20 7946 0000\r\nEND:VCARD'
  const folded = 'BEGIN:VCARD\nVERSION:3.0\nFN:Charles\n  Babbage\nTEL;type=CELL;waid=15550001234:+1 555 000\n 1234\nEND:VCARD'
  assert.deepEqual(parseVcards(`${apple}\n${folded}`), [
    { name: 'Ada Lovelace', phones: [{ number: '+44 7700 900123', jid: '447700900123@s.whatsapp.net' }, { number: '+44 20 7946 0000' }] },
    { name: 'Charles Babbage', phones: [{ number: '+1 555 0001234', jid: '15550001234@s.whatsapp.net' }] }
  ])
  assert.equal(parseVcards('Ada Lovelace'), undefined, 'a body stored before vCards were kept is just the name')
  assert.equal(parseVcards(null), undefined)
  const json = JSON.stringify({ message_id: 'c:1', type: 'contact', body: apple, status: 'read' })
  assert.deepEqual(Object.keys(JSON.parse(cardsJson(json))), ['message_id', 'type', 'body', 'contact_cards', 'status'])
  assert.equal(JSON.parse(cardsJson(json)).body, 'Ada Lovelace')
})

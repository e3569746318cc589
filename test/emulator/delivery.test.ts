import { test } from 'node:test'
import assert from 'node:assert/strict'
import { DeliveryQueue } from './delivery.js'

test('the server keeps a stanza until the device acknowledges it the way that stanza is acknowledged', () => {
  const q = new DeliveryQueue()
  q.add({ tag: 'message', attrs: { id: 'M1', from: 'a' } })
  q.add({ tag: 'message', attrs: { id: 'H1', from: 'me' } }, 'hist_sync')
  q.add({ tag: 'notification', attrs: { id: 'N1', from: 'g@g.us', participant: 'p@lid' } })
  q.add({ tag: 'receipt', attrs: { id: 'M0', from: 'g@g.us', participant: 'x' } })
  q.add({ tag: 'receipt', attrs: { id: 'M0', from: 'g@g.us', participant: 'y' } })
  assert.equal(q.size, 5, 'two recipients\' receipts of one message are two stanzas')
  assert.deepEqual(q.acknowledge({ tag: 'receipt', attrs: { id: 'M1', type: 'read' } }), [], 'a read receipt is not a delivery')
  assert.deepEqual(q.acknowledge({ tag: 'receipt', attrs: { id: 'M1', type: 'retry' } }), [], 'a retry receipt is not a delivery')
  assert.deepEqual(q.acknowledge({ tag: 'receipt', attrs: { id: 'H1', type: 'peer_msg' } }), [], 'a history chunk wants its hist_sync receipt')
  assert.deepEqual(q.acknowledge({ tag: 'receipt', attrs: { id: 'H1', type: 'hist_sync' } }), [{ tag: 'message', id: 'H1', by: 'hist_sync' }])
  assert.deepEqual(q.acknowledge({ tag: 'receipt', attrs: { id: 'M1' } }), [{ tag: 'message', id: 'M1', by: 'receipt' }])
  assert.deepEqual(q.acknowledge({ tag: 'ack', attrs: { id: 'N1', class: 'notification', to: 'g@g.us', participant: 'p@lid', error: '500' } }), [], 'a nack acknowledges nothing')
  assert.deepEqual(q.acknowledge({ tag: 'ack', attrs: { id: 'N1', class: 'notification', to: 'g@g.us', participant: 'p@lid' } }), [{ tag: 'notification', id: 'N1', by: 'ack' }])
  assert.deepEqual(q.acknowledge({ tag: 'ack', attrs: { id: 'M0', class: 'receipt', to: 'g@g.us', participant: 'y' } }), [{ tag: 'receipt', id: 'M0', by: 'ack' }])
  assert.deepEqual(q.unacknowledged().map((n) => `${n.tag}:${n.attrs.participant}`), ['receipt:x'])
})

test('what is delivered again goes out oldest first; a new copy of a stanza replaces the old one and counts from when it was sent', () => {
  const q = new DeliveryQueue()
  q.add({ tag: 'message', attrs: { id: 'A' } })
  q.add({ tag: 'message', attrs: { id: 'B' } })
  q.add({ tag: 'message', attrs: { id: 'A', again: '1' } })
  assert.deepEqual(q.unacknowledged().map((n) => n.attrs.id), ['B', 'A'])
  assert.equal(q.unacknowledged()[1]!.attrs.again, '1')
})

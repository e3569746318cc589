import { test } from 'node:test'
import assert from 'node:assert/strict'
import { AckQueue, classifyOutgoing } from '../../../workers/whatsapp/ack-policy.js'

test('outgoing nodes are classified by what they acknowledge', () => {
  const rows: Array<[string, ReturnType<typeof classifyOutgoing>]> = [
    [`<receipt id='A1' to='1555@s.whatsapp.net'/>`, { kind: 'messages', ids: ['A1'] }],
    [`<receipt id='A1' to='1555@s.whatsapp.net' type='inactive'/>`, { kind: 'messages', ids: ['A1'] }],
    [`<receipt id='A1' to='1203@g.us' participant='1555@lid' type='sender'/>`, { kind: 'messages', ids: ['A1'] }],
    [`<receipt id='A1' to='1555@s.whatsapp.net' type='peer_msg'/>`, { kind: 'messages', ids: ['A1'] }],
    [`<receipt id='A1' to='1555@s.whatsapp.net'>\n\t<list>\n\t\t<item id='A2'/>\n\t\t<item id='A3'/>\n\t</list>\n</receipt>`, { kind: 'messages', ids: ['A1', 'A2', 'A3'] }],
    [`<receipt id='H1' to='1555@s.whatsapp.net' type='hist_sync'/>`, { kind: 'history', id: 'H1' }],
    [`<ack id='N1' to='1203@g.us' class='notification' type='w:gp2'/>`, { kind: 'barrier' }],
    [`<ack id='R1' to='1555@s.whatsapp.net' class='receipt'/>`, { kind: 'barrier' }],
    // ours, not an acknowledgement of something WhatsApp keeps for us
    [`<receipt id='A1' to='1555@s.whatsapp.net' type='read' t='1'/>`, { kind: 'none' }],
    [`<receipt id='A1' to='1555@s.whatsapp.net' type='retry'>\n\t<retry count='1' id='A1'/>\n</receipt>`, { kind: 'none' }],
    [`<iq id='1' type='get' xmlns='w:p'>\n\t<ping/>\n</iq>`, { kind: 'none' }],
    [`<message id='M1' to='1555@s.whatsapp.net' type='text'/>`, { kind: 'none' }],
    [`<receipt to='x'/>`, { kind: 'none' }]
  ]
  for (const [xml, want] of rows) assert.deepEqual(classifyOutgoing(xml), want, xml)
})

test('a held receipt leaves only once the batch carrying its message is committed, and holds every frame behind it', () => {
  const q = new AckQueue<string>()
  q.push('receipt A', { kind: 'messages', ids: ['A'] }, 0)
  q.push('iq', { kind: 'none' }, 0)
  assert.deepEqual(q.release(), [], 'nothing leaves before the message is taken in')
  q.saw('A', 3)
  q.committed = 2
  assert.deepEqual(q.release(), [], 'nothing leaves before batch 3 is committed')
  q.committed = 3
  assert.deepEqual(q.release(), ['receipt A', 'iq'])
  assert.equal(q.length, 0)
})

test('a receipt for several messages waits for all of them; a history receipt waits for its chunk', () => {
  const q = new AckQueue<string>()
  q.push('receipt A B', { kind: 'messages', ids: ['A', 'B'] }, 0)
  q.push('hist H', { kind: 'history', id: 'H' }, 0)
  q.saw('A', 1)
  q.committed = 5
  assert.deepEqual(q.release(), [])
  q.saw('B', 2)
  assert.deepEqual(q.release(), ['receipt A B'])
  q.saw('H', 9)
  assert.deepEqual(q.release(), [], 'the message id H is not the history chunk of H')
  q.saw('hist:H', 6)
  q.committed = 6
  assert.deepEqual(q.release(), ['hist H'])
})

test('an ack waits for its barrier to be set and committed; a closed connection drops what is held', () => {
  const q = new AckQueue<string>()
  const h = q.push('ack', { kind: 'barrier' }, 0)
  q.committed = 10
  assert.deepEqual(q.release(), [], 'no barrier yet: the events before the ack are not yet counted')
  h.barrier = 12
  assert.deepEqual(q.release(), [])
  q.committed = 12
  assert.deepEqual(q.release(), ['ack'])
  q.push('receipt Z', { kind: 'messages', ids: ['Z'] }, 0)
  q.clear()
  assert.equal(q.length, 0)
  assert.equal(q.committed, 12, 'the commit count is the store\'s, it survives a connection')
})

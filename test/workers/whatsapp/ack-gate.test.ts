// The ack gate through a real WebSocket: frames behind a held acknowledgement stay in order until the store
// commits, and written() tells a sender when its own frame has really left (the crash harness found sends
// reported while their frame still sat behind a held receipt, lost to a kill -9).
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { EventEmitter, once } from 'node:events'
import { WebSocket, WebSocketServer } from 'ws'
import pino from 'pino'
import { AckGate } from '../../../workers/whatsapp/ack-gate.js'

const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' })
const listening = once(wss, 'listening')
after(() => wss.close())

async function gateOnSocket(): Promise<{ gate: AckGate; sendNode: (xml: string, body: string) => void; got: string[]; client: WebSocket }> {
  await listening
  const got: string[] = []
  const served = once(wss, 'connection')
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as { port: number }).port}`)
  await once(client, 'open')
  const [peer] = (await served) as [WebSocket]
  peer.on('message', (d) => got.push(String(d)))
  const gate = new AckGate({ flushEvents: () => undefined, emittedSeq: () => 0, stuck: () => undefined }, pino({ level: 'silent' }))
  const log = gate.socketLogger(pino({ level: 'silent' }))
  gate.attach({ socket: client, on: (ev, cb) => new EventEmitter().on(ev, cb) })
  // as Baileys does: render the node for the trace log, then write its frame
  const sendNode = (xml: string, body: string): void => {
    log.trace({ msg: 'xml send', xml })
    client.send(Buffer.from(body))
  }
  return { gate, sendNode, got, client }
}

const settled = async (p: Promise<unknown>): Promise<boolean> => {
  let done = false
  void p.then(() => (done = true), () => (done = true))
  await new Promise((r) => setTimeout(r, 50))
  return done
}

test('a message behind a held delivery receipt is not written until the receipt may leave, and written() waits for it', async () => {
  const { gate, sendNode, got, client } = await gateOnSocket()
  sendNode(`<receipt id='IN1' to='15550001@s.whatsapp.net'>`, 'receipt IN1')
  sendNode(`<message id='OUT1' to='15550002@s.whatsapp.net' type='text'>`, 'message OUT1')
  const w = gate.written()
  assert.equal(await settled(w), false, 'written() waits while our frame sits behind the held receipt')
  assert.deepEqual(got, [], 'nothing left before the store committed')
  gate.saw('IN1', 1)
  gate.committed(1)
  await w
  await new Promise((r) => setTimeout(r, 50))
  assert.deepEqual(got, ['receipt IN1', 'message OUT1'], 'both left, in order')
  assert.equal(await settled(gate.written()), true, 'nothing queued: written() resolves at once')
  client.close()
})

test('written() fails when the connection closes before the frame left', async () => {
  const { gate, sendNode, client } = await gateOnSocket()
  sendNode(`<receipt id='IN2' to='15550001@s.whatsapp.net'>`, 'receipt IN2')
  sendNode(`<message id='OUT2' to='15550002@s.whatsapp.net' type='text'>`, 'message OUT2')
  const w = gate.written()
  gate.close()
  await assert.rejects(w, /closed before the frame was written/)
  assert.equal(await settled(gate.written()), true, 'a closed gate holds nothing')
  client.close()
})

// The demo account (what `npm run demo` shows): its history carries media whose files download.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { startEmulator, type Emulator } from '../emulator/emulator.js'
import { seedDemo } from '../emulator/demo-seed.js'
import { call, until } from '../helpers/server-process.js'
import { startLinkedServer, type LinkedServer } from '../helpers/link.js'

const ACCOUNT = '15550001111'
let emu: Emulator
let linked: LinkedServer
let client: Client

before(async () => {
  emu = await startEmulator()
  await seedDemo(emu, ACCOUNT)
  linked = await startLinkedServer(emu, ACCOUNT)
  client = linked.client
})

after(async () => {
  await linked?.close()
  await emu?.close()
})

test('the demo history has photos, a voice note and a document, and their files download', async () => {
  const chat = (i: number) => `1555${String(2000000 + i).padStart(7, '0')}@s.whatsapp.net`
  const newest = async (i: number) =>
    until(async () => ((await call(client, 'list_messages', { chat_id: chat(i), limit: 1 })).data.messages as Array<{ id: string; type: string; body: string | null; media: Record<string, unknown> | null }> | undefined)?.find((m) => m.id.startsWith('DEMO-MEDIA')), 20_000, `the media message of chat ${i}`)
  const photo = await newest(0)
  assert.equal(photo.type, 'image')
  assert.equal(photo.body, 'The engine, finally assembled')
  const dl = await call(client, 'download_media', { message_id: `${chat(0)}:${photo.id}`, include_full_data: true })
  assert.equal(dl.ok, true, JSON.stringify(dl.data))
  const block = (r: typeof dl, i = 1) => (r.raw.content as Array<{ type: string; data?: string; mimeType?: string; resource?: { blob?: string } }>)[i]!
  assert.equal(Buffer.from(block(dl).data!, 'base64').subarray(0, 3).toString('hex'), 'ffd8ff', 'a JPEG')
  const voice = await newest(2)
  assert.ok(['ptt', 'audio', 'voice'].includes(voice.type), voice.type)
  const played = await call(client, 'download_media', { message_id: `${chat(2)}:${voice.id}`, include_full_data: true })
  assert.equal(block(played).type, 'audio', 'a voice note comes as an audio block')
  assert.match(block(played).mimeType!, /^audio\//)
  // real audio: an OGG page whose first packet is an Opus header (it was 2 KB of filler behind "OggS")
  const note = Buffer.from(block(played).data!, 'base64')
  assert.equal(note.subarray(0, 4).toString(), 'OggS')
  assert.equal(note.subarray(28, 36).toString(), 'OpusHead')
  const doc = await newest(3)
  assert.equal(doc.type, 'document')
  assert.equal(doc.media?.file_name, 'checklist.txt')
  const text = await call(client, 'download_media', { message_id: `${chat(3)}:${doc.id}`, include_full_data: true })
  assert.equal(block(text).type, 'resource')
  assert.match(Buffer.from(block(text).resource!.blob!, 'base64').toString(), /^Launch checklist/)
})

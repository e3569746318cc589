// Voice notes end to end: send_media with as_audio_message converts what the caller gives (a WAV, an MP3,
// an OGG that is already Opus) with the real ffmpeg, the emulated person receives it, decrypts it, and
// ffprobe finds a playable Opus-in-OGG voice note of the right length.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { startEmulator, type Emulator } from '../emulator/emulator.js'
import type { Person } from '../emulator/person.js'
import { call } from '../helpers/server-process.js'
import { startLinkedServer, type LinkedServer } from '../helpers/link.js'
import { PREREQUISITES } from '../prerequisites.js'

const ACCOUNT = '15550001111'
const SECONDS = 1.5
const FFMPEG = PREREQUISITES.find((p) => p.debian === 'ffmpeg')!.find(process.env)!
const FFPROBE = join(dirname(FFMPEG), 'ffprobe')
let emu: Emulator
let linked: LinkedServer
let client: Client
let ada: Person
let work: string

/** a mono 16 kHz 16-bit WAV of a 440 Hz tone, written byte by byte: no ffmpeg involved in making it */
function wav(seconds: number): Buffer {
  const rate = 16_000
  const samples = Math.round(rate * seconds)
  const data = Buffer.alloc(samples * 2)
  for (let i = 0; i < samples; i++) data.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 440 * i) / rate) * 12_000), i * 2)
  const h = Buffer.alloc(44)
  h.write('RIFF', 0)
  h.writeUInt32LE(36 + data.length, 4)
  h.write('WAVEfmt ', 8)
  h.writeUInt32LE(16, 16)
  h.writeUInt16LE(1, 20) // PCM
  h.writeUInt16LE(1, 22) // mono
  h.writeUInt32LE(rate, 24)
  h.writeUInt32LE(rate * 2, 28)
  h.writeUInt16LE(2, 32)
  h.writeUInt16LE(16, 34)
  h.write('data', 36)
  h.writeUInt32LE(data.length, 40)
  return Buffer.concat([h, data])
}

/** `input` converted by ffmpeg with `args` into a file of extension `ext`, read back */
function transcode(input: Buffer, ext: string, args: string[]): Buffer {
  const src = join(work, `src-${Date.now()}.wav`)
  const out = join(work, `out-${Date.now()}.${ext}`)
  writeFileSync(src, input)
  const r = spawnSync(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-y', '-i', src, ...args, out])
  assert.equal(r.status, 0, r.stderr?.toString())
  return Buffer.from(spawnSync('cat', [out]).stdout)
}

/** what ffprobe says of a file: its container, codec and duration */
function probe(bytes: Buffer): { format: string; codec: string; duration: number } {
  const f = join(work, `probe-${Date.now()}.bin`)
  writeFileSync(f, bytes)
  const r = spawnSync(FFPROBE, ['-v', 'error', '-show_entries', 'format=format_name,duration:stream=codec_name,codec_type', '-of', 'json', f], { encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  const j = JSON.parse(r.stdout) as { format: { format_name: string; duration: string }; streams: Array<{ codec_name: string; codec_type: string }> }
  const audio = j.streams.filter((s) => s.codec_type === 'audio')
  assert.equal(audio.length, 1, `one audio stream: ${r.stdout}`)
  return { format: j.format.format_name, codec: audio[0]!.codec_name, duration: Number(j.format.duration) }
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'wams-voice-'))
  emu = await startEmulator()
  ada = emu.person({ phone: '447700900123', name: 'Ada Lovelace' })
  linked = await startLinkedServer(emu, ACCOUNT, { FFMPEG_PATH: FFMPEG })
  client = linked.client
})

after(async () => {
  await linked?.close()
  await emu?.close()
  rmSync(work, { recursive: true, force: true })
})

const CASES: Array<{ name: string; make: () => Buffer }> = [
  { name: 'a WAV', make: () => wav(SECONDS) },
  { name: 'an MP3', make: () => transcode(wav(SECONDS), 'mp3', ['-c:a', 'libmp3lame', '-b:a', '64k']) },
  { name: 'an OGG that is already Opus', make: () => transcode(wav(SECONDS), 'ogg', ['-c:a', 'libopus', '-b:a', '24k']) },
  // audio/ogg as well, yet no voice note: it went out unconverted
  { name: 'an OGG Vorbis', make: () => transcode(wav(SECONDS), 'ogg', ['-c:a', 'libvorbis', '-q:a', '2']) }
]

for (const c of CASES) {
  test(`${c.name} sent as a voice note arrives as a playable Opus-in-OGG voice note of its length`, async () => {
    const input = c.make()
    const sent = await call(client, 'send_media', { recipient_jid: ada.jid, media_content: input.toString('base64'), as_audio_message: true })
    assert.equal(sent.ok, true, JSON.stringify(sent.data))
    assert.equal(sent.data.kind, 'voice')
    const id = String(sent.data.message_id).split(':').at(-1)
    const got = await ada.waitFor((m) => m.id === id && !!m.message.audioMessage)
    const audio = got.message.audioMessage!
    assert.equal(audio.ptt, true, 'a voice note, not an audio file')
    assert.equal(audio.mimetype, 'audio/ogg; codecs=opus')
    const file = await emu.media.readMedia(audio, 'audio')
    assert.equal(file.subarray(0, 4).toString(), 'OggS')
    const p = probe(file)
    assert.equal(p.format, 'ogg')
    assert.equal(p.codec, 'opus')
    assert.ok(Math.abs(p.duration - SECONDS) < 0.2, `about ${SECONDS} s long: ${p.duration}`)
  })
}

test('audio ffmpeg cannot read is refused with MEDIA_TRANSCODE_FAILED, and nothing is sent', async () => {
  const before = ada.inbox.length
  // an MP3 frame header followed by noise: sniffed as audio/mpeg, not decodable
  const junk = Buffer.concat([Buffer.from('ID3'), Buffer.alloc(7), Buffer.alloc(4000, 0x55)])
  const r = await call(client, 'send_media', { recipient_jid: ada.jid, media_content: junk.toString('base64'), mime_type: 'audio/mpeg', as_audio_message: true })
  assert.equal(r.ok, false)
  assert.equal(r.data.code, 'MEDIA_TRANSCODE_FAILED', JSON.stringify(r.data))
  assert.equal(ada.inbox.length, before)
})

// The seeded demo account: a few dozen contacts, some groups, chats with history including media (photos,
// a voice note, a document) whose files wait on the emulator's media server. Every JID and message id is
// fixed, so seeding again over the same store changes nothing.
import { readFileSync } from 'node:fs'
import sharp from 'sharp'
import type { Emulator } from './emulator.js'

// three seconds of a two-tone chord, Opus in OGG as a phone records it (made once with ffmpeg: the demo
// needs no ffmpeg to run)
const VOICE_NOTE = new URL('../../../test/fixtures/demo-voice-note.ogg', import.meta.url)
const FIRST = ['Ada', 'Grace', 'Alan', 'Katherine', 'Dennis', 'Barbara', 'Edsger', 'Margaret', 'Linus', 'Frances', 'Tim', 'Radia', 'Donald', 'Hedy', 'Ken', 'Sophie', 'John', 'Joan', 'Niklaus', 'Annie', 'Guido', 'Shafi', 'Bjarne', 'Lynn', 'James', 'Mary', 'Claude', 'Jean', 'Vint', 'Karen']
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Johnson', 'Ritchie', 'Liskov', 'Dijkstra', 'Hamilton', 'Torvalds', 'Allen', 'Berners-Lee', 'Perlman', 'Knuth', 'Lamarr', 'Thompson', 'Wilson', 'McCarthy', 'Clarke', 'Wirth', 'Easley', 'van Rossum', 'Goldwasser', 'Stroustrup', 'Conway', 'Gosling', 'Keller', 'Shannon', 'Bartik', 'Cerf', 'Spärck Jones']
const LINES = ['Are we still on for Friday?', 'Sent you the draft', 'Thanks!', 'Can you call me later?', 'The café on the corner', 'Happy birthday! 🎉', 'Running 10 minutes late', 'Did you see the news?', 'Let us ship it', 'Good morning ☀️']

export async function seedDemo(emu: Emulator, account: string): Promise<void> {
  const people = FIRST.map((f, i) => emu.person({ phone: `1555${String(2000000 + i).padStart(7, '0')}`, name: `${f} ${LAST[i]}` }))
  const now = Math.floor(Date.now() / 1000)
  // fixed JIDs: a second `npm run demo` on the same data folder finds the same three groups, not three more
  const groups = [
    emu.createGroup('Analytical Engine fans', people[0]!, [account, ...people.slice(1, 8)], '120363400000000001@g.us'),
    emu.createGroup('Compiler club', people[1]!, [account, ...people.slice(5, 14)], '120363400000000002@g.us'),
    emu.createGroup('Friday football', people[8]!, [account, ...people.slice(10, 25)], '120363400000000003@g.us')
  ]
  const photo = (r: number, g: number, b: number) => sharp({ create: { width: 160, height: 120, channels: 3, background: { r, g, b } } }).jpeg({ quality: 70 }).toBuffer()
  // media in the newest messages of the first chats: a photo each, a voice note, a document
  const media = [
    await people[0]!.mediaMessage('image', await photo(230, 120, 40), { caption: 'The engine, finally assembled' }),
    await people[1]!.mediaMessage('image', await photo(40, 120, 230), { caption: 'Bug found in relay 70' }),
    await people[2]!.mediaMessage('ptt', readFileSync(VOICE_NOTE), { seconds: 3 }),
    await people[3]!.mediaMessage('document', Buffer.from('Launch checklist\n1. Fuel\n2. Count down\n'), { mimetype: 'text/plain', fileName: 'checklist.txt', caption: 'For tomorrow' })
  ]
  emu.setHistory(account, {
    chats: [
      ...people.slice(0, 20).map((p, i) => ({
        jid: p.phone,
        unread: i % 4 === 0 ? 2 : 0,
        messages: [
          ...Array.from({ length: 6 + (i % 5) }, (_, k) => ({ id: `DEMO-${i}-${k}`, text: LINES[(i + k) % LINES.length]!, fromMe: k % 3 === 1, ts: now - (i * 3600 + (10 - k) * 120) })),
          ...(media[i] ? [{ id: `DEMO-MEDIA-${i}`, message: media[i]!.message, ts: now - i * 3600 - 60 }] : [])
        ]
      })),
      ...groups.map((g, i) => ({
        jid: g.id,
        name: g.subject,
        messages: Array.from({ length: 12 }, (_, k) => {
          const p = g.participants[(k % (g.participants.length - 1)) + 1]!.acc
          return { id: `DEMO-G${i}-${k}`, from: p.pn, text: LINES[(i * 3 + k) % LINES.length]!, ts: now - (i * 7200 + (12 - k) * 300) }
        })
      }))
    ]
  })
}

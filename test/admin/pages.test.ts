// The admin UI's papercuts, in headless Chromium against a server linked to the emulator's demo account:
// every tab and chats with media at desktop and phone size without one console error, failed request or
// broken picture; messages of one second in the order sent; a tapped chat in view on a phone and scrolled
// to its newest message once its pictures load; the icon; the status view's words; and a server that cannot
// reach WhatsApp saying so, without offering logout or resync to an account that is not linked.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import type { Browser } from 'playwright-core'
import sharp from 'sharp'
import { startEmulator, type Emulator } from '../emulator/emulator.js'
import { seedDemo } from '../emulator/demo-seed.js'
import type { Person } from '../emulator/person.js'
import { startServerProcess, until, type ServerProcess } from '../helpers/server-process.js'
import { startLinkedServer, type LinkedServer } from '../helpers/link.js'
import { launchBrowser } from '../helpers/browser.js'
import { VIEWPORTS, atNewest, newPage, openChat, showTab, tabNames, watchPage, type ViewportName } from '../helpers/admin-tour.js'

const ACCOUNT = '15550001111'
const person = (i: number) => `1555${String(2000000 + i).padStart(7, '0')}@s.whatsapp.net`
// the demo's chats with a photo, a voice note and a document, and a group
const MEDIA_CHATS = [person(0), person(1), person(2), person(3), '120363400000000001@g.us']
let emu: Emulator
let linked: LinkedServer
let browser: Browser
let ada: Person
let bigPhotoId: string

before(async () => {
  emu = await startEmulator()
  await seedDemo(emu, ACCOUNT)
  linked = await startLinkedServer(emu, ACCOUNT)
  browser = await launchBrowser()
  ada = emu.person({ phone: '15552000000' })
  // a photo too big to carry its own preview (over 64 KB, never downloaded): its thumbnail has none
  const noise = Buffer.alloc(500 * 400 * 3)
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24
  const big = await sharp(noise, { raw: { width: 500, height: 400, channels: 3 } }).jpeg({ quality: 95 }).toBuffer()
  assert.ok(big.length > 64 * 1024)
  bigPhotoId = (await ada.sendMedia(ACCOUNT, 'image', big, { caption: 'too big for a preview' })).id
  // three messages in one second (the emulator stamps whole seconds): start just after a second turns
  await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 20))
  for (const text of ['first of three', 'second of three', 'third of three']) await ada.sendText(ACCOUNT, text)
  await until(async () => {
    const r = (await (await fetch(`${linked.server.url}/api/chats/${encodeURIComponent(ada.jid)}/messages?limit=5`)).json()) as { messages: Array<{ body?: string }> }
    return r.messages.some((m) => m.body === 'third of three')
  }, 15_000, 'the three messages stored')
})

after(async () => {
  await browser?.close()
  await linked?.close()
  await emu?.close()
})

for (const size of Object.keys(VIEWPORTS) as ViewportName[]) {
  test(`${size}: every tab and chats with a photo, a voice note, a document and a group load without one console error`, async () => {
    const page = await newPage(browser, size)
    const problems = watchPage(page)
    await page.goto(`${linked.server.url}/admin`)
    await page.locator('#tabs').waitFor({ state: 'visible' })
    await until(async () => (await page.locator('#badge').textContent())?.startsWith('ready'), 20_000, 'ready')
    const names = await tabNames(page)
    assert.ok(names.length >= 5 && names.includes('chats'), names.join(', '))
    for (const name of names) {
      await showTab(page, name)
      if (name === 'chats') for (const jid of [...MEDIA_CHATS, ada.jid]) await openChat(page, jid)
    }
    // the picture without a preview removed itself: no broken image left in Ada's chat
    assert.equal(await page.locator(`#messages li[data-id="${bigPhotoId}"] img`).count(), 0)
    assert.equal(await page.locator('#messages img.thumb').evaluateAll((imgs) => imgs.filter((i) => (i as unknown as { naturalWidth: number }).naturalWidth === 0).length), 0)
    await page.close()
    assert.deepEqual(problems, [])
  })
}

test('messages sent in the same second show in the order they were sent', async () => {
  const page = await newPage(browser, 'desktop')
  await page.goto(`${linked.server.url}/admin#chats`)
  await page.locator('#chat-list button[data-jid]').first().waitFor()
  await openChat(page, ada.jid)
  const bodies = await page.locator('#messages li.msg .body').allTextContents()
  assert.deepEqual(bodies.filter((b) => b.endsWith(' of three')), ['first of three', 'second of three', 'third of three'])
  await page.close()
})

test('phone: a tapped chat comes into view, scrolled to its newest message once its photo has loaded', async () => {
  const page = await newPage(browser, 'phone')
  await page.goto(`${linked.server.url}/admin#chats`)
  await page.locator('#chat-list button[data-jid]').first().waitFor()
  // the demo's first chat: its newest message is a photo, which loads after the list is drawn
  await openChat(page, person(0))
  await until(async () => {
    const box = await page.locator('.chat-view').boundingBox()
    return box && box.y >= -1 && box.y < VIEWPORTS.phone.height / 2
  }, 5000, 'the chat near the top of the screen')
  assert.ok(await page.locator('#messages img.thumb').last().isVisible(), 'the photo is on screen')
  assert.equal(await atNewest(page), true, 'scrolled to the newest message')
  await page.close()
})

test('desktop: an opened chat stays at its newest message after its photo loads', async () => {
  const page = await newPage(browser, 'desktop')
  await page.goto(`${linked.server.url}/admin#chats`)
  await page.locator('#chat-list button[data-jid]').first().waitFor()
  await openChat(page, person(1))
  assert.equal(await atNewest(page), true)
  await page.close()
})

test('/favicon.ico is the admin icon, and the page names its own', async () => {
  const r = await fetch(`${linked.server.url}/favicon.ico`)
  assert.equal(r.status, 200)
  assert.equal(r.headers.get('content-type'), 'image/svg+xml')
  assert.match(await r.text(), /^<svg /)
  assert.equal((await fetch(`${linked.server.url}/admin/favicon.svg`)).status, 200)
})

test('linked and ready: a plain status, no raw enum, no restart after linking as the last disconnect', async () => {
  const page = await newPage(browser, 'desktop')
  await page.goto(`${linked.server.url}/admin#link`)
  await until(async () => (await page.locator('#link-state').textContent())?.startsWith('Ready'), 20_000, 'ready')
  const state = (await page.locator('#link-state').textContent())!
  assert.match(state, /^Ready: linked( as .+)? and connected\.$/)
  const rows = Object.fromEntries(await page.locator('#status-list dt').evaluateAll((dts) => dts.map((dt) => [dt.textContent, (dt as unknown as { nextElementSibling: { textContent: string } }).nextElementSibling.textContent])))
  assert.doesNotMatch(rows.History!, /[A-Z]+_[A-Z]+/, rows.History)
  assert.match(rows.History!, /messages, \d+ chats \(last: [a-z ,]+\)/)
  assert.doesNotMatch(rows['Last disconnect']!, /515|restart required/i)
  assert.equal(await page.locator('#act-logout').isVisible(), true)
  assert.equal(await page.locator('#act-resync').isVisible(), true)
  await page.close()
})

test('with WhatsApp out of reach the page says so plainly, and offers no logout or resync while unlinked', async () => {
  let server: ServerProcess | undefined
  try {
    // nothing listens on port 9 of this machine: every connection attempt is refused
    server = await startServerProcess(undefined, { WA_WS_URL: 'ws://127.0.0.1:9/ws/chat' })
    const page = await newPage(browser, 'phone')
    const problems = watchPage(page)
    await page.goto(`${server.url}/admin`)
    await until(async () => (await page.locator('#link-state').textContent())?.startsWith('Cannot reach WhatsApp'), 30_000, 'the network message')
    assert.equal(await page.locator('#badge').textContent(), 'no network')
    assert.equal(await page.locator('#act-logout').isVisible(), false)
    assert.equal(await page.locator('#act-resync').isVisible(), false)
    assert.equal(await page.locator('#act-restart').isVisible(), true)
    await page.close()
    assert.deepEqual(problems, [])
  } finally {
    await server?.stop()
  }
})

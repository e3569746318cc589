// The admin UI in headless Chromium against the server linked to the emulator. Screenshots of each main
// view land in test-output/screenshots/ (not committed; the README's pictures come from npm run screenshots).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import sharp from 'sharp'
import { startEmulator, type Emulator } from '../emulator/emulator.js'
import type { Person } from '../emulator/person.js'
import { startServerProcess, until, type ServerProcess } from '../helpers/server-process.js'
import { decodeQrPng } from '../helpers/link.js'
import { launchBrowser } from '../helpers/browser.js'
import { readZip } from '../helpers/zip.js'

const ACCOUNT = '15550001111'
const TOKEN = 'ui-admin-token'
const SHOTS = fileURLToPath(new URL('../../../test-output/screenshots/', import.meta.url))
let JPEG: Buffer
let emu: Emulator
let server: ServerProcess
let browser: Browser
let page: Page
let ada: Person

async function signIn(p: Page): Promise<void> {
  await p.goto(`${server.url}/admin`)
  // the sign-in cookie is per host, not per port, but sessions live in the server's memory: after a restart
  // the page asks to sign in again (the first branch is for a page already signed in to this server)
  await p.locator('#tabs:visible, #signin:visible').first().waitFor()
  if (await p.locator('#tabs').isVisible()) return
  await p.locator('#token').fill(TOKEN)
  await p.locator('#signin-form button[type=submit]').click()
  await p.locator('#tabs').waitFor({ state: 'visible' })
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true })
  // a picture worth looking at in the screenshots: a small gradient, as a phone would send it
  const w = 240
  const h = 150
  const raw = Buffer.alloc(w * h * 3)
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) raw.set([20 + (x * 200) / w, 120 + (y * 100) / h, 90], (y * w + x) * 3)
  JPEG = await sharp(raw, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 70 }).toBuffer()
  emu = await startEmulator()
  ada = emu.person({ phone: '447700900123', name: 'Ada Lovelace' })
  const grace = emu.person({ phone: '15550002222', name: 'Grace Hopper' })
  const now = Math.floor(Date.now() / 1000)
  emu.setHistory(ACCOUNT, {
    chats: [
      { jid: ada.phone, unread: 1, messages: [{ id: 'A1', text: 'Did you read my notes on the engine?', ts: now - 600 }] },
      { jid: grace.phone, messages: [{ id: 'G1', text: 'Found a moth in the relay', ts: now - 300 }] }
    ]
  })
  server = await startServerProcess(emu, { ADMIN_TOKEN: TOKEN })
  browser = await launchBrowser()
  page = await browser.newPage({ viewport: { width: 1200, height: 800 } })
  page.on('dialog', (d) => void d.accept())
})

after(async () => {
  await browser?.close()
  await server?.stop()
  await emu?.close()
})

test('sign-in is required when ADMIN_TOKEN is set; a wrong token is refused', async () => {
  await page.goto(`${server.url}/admin`)
  await page.locator('#signin').waitFor({ state: 'visible' })
  await page.locator('#token').fill('wrong')
  await page.locator('#signin-form button[type=submit]').click()
  await until(async () => (await page.locator('#signin-error').textContent())?.includes('not right'), 5000, 'the sign-in error')
  await page.locator('#token').fill(TOKEN)
  await page.locator('#signin-form button[type=submit]').click()
  await page.locator('#tabs').waitFor({ state: 'visible' })
  assert.equal(await page.locator('#signin').isVisible(), false)
})

test('sign-out ends the session: the page asks to sign in again, and the old cookie no longer works', async () => {
  const before = (await page.context().cookies()).find((c) => c.name === 'admin_session')
  assert.ok(before && before.httpOnly && before.sameSite === 'Strict' && !before.value.includes(TOKEN))
  await page.locator('#sign-out').click()
  await page.locator('#signin').waitFor({ state: 'visible' })
  assert.equal(await page.locator('#tabs').isVisible(), false)
  assert.equal((await fetch(`${server.url}/api/status`, { headers: { cookie: `admin_session=${before.value}` } })).status, 401)
  await signIn(page)
})

test('the QR on the page, decoded from its image, links the account and the page turns ready by itself', async () => {
  await page.locator('#qr-box').waitFor({ state: 'visible', timeout: 30_000 })
  await until(async () => page.locator('#qr').evaluate((img) => (img as unknown as { complete: boolean; naturalWidth: number }).complete && (img as unknown as { naturalWidth: number }).naturalWidth > 0), 10_000, 'the QR image')
  await page.screenshot({ path: join(SHOTS, 'link.png') })
  const png = await page.locator('#qr').screenshot()
  await emu.scanQr(decodeQrPng(png.toString('base64')), { phone: ACCOUNT, name: 'Demo' })
  await until(async () => (await page.locator('#badge').textContent())?.startsWith('ready'), 30_000, 'the badge to say ready')
  assert.equal(await page.locator('#qr-box').isHidden(), true)
  await page.screenshot({ path: join(SHOTS, 'status.png') })
})

test('the chat list shows the synced chats with names, today\'s times and unread counts', async () => {
  const original = await ada.sendText(ACCOUNT, 'Shall we meet on Friday?')
  await ada.sendText(ACCOUNT, 'At the café, I mean', { quoted: { key: { id: original.id }, text: 'Shall we meet on Friday?' } })
  await ada.react(ACCOUNT, { id: original.id, remoteJid: ada.jid }, '👍')
  await ada.sendMedia(ACCOUNT, 'image', JPEG, { caption: 'the engine' })
  await page.locator('#tab-chats').click()
  const item = page.locator(`#chat-list button[data-jid="${ada.jid}"]`)
  await until(async () => {
    await page.locator('#chat-search').fill('')
    await page.locator('#chat-search').dispatchEvent('input')
    await new Promise((r) => setTimeout(r, 400))
    return (await item.count()) > 0 && Number((await item.locator('.unread').textContent()) ?? 0) >= 4
  }, 20_000, 'Ada with her unread messages')
  assert.equal(await item.locator('.chat-name').textContent(), 'Ada Lovelace')
  const time = (await item.locator('.chat-time').textContent()) ?? ''
  assert.match(time, /^\d{1,2}:\d{2}/, `a time of day, as for today, not a date in another millennium: ${time}`)
  assert.equal(await page.locator(`#chat-list button[data-jid="${emu.account('15550002222')!.pn}@s.whatsapp.net"] .chat-name`).textContent(), 'Grace Hopper')
  await page.screenshot({ path: join(SHOTS, 'chats.png') })
})

test('a chat shows a reply with its quote, a reaction, and an image thumbnail', async () => {
  await page.locator(`#chat-list button[data-jid="${ada.jid}"]`).click()
  await page.locator('#messages .quote').first().waitFor({ timeout: 10_000 })
  assert.match((await page.locator('#messages .quote').first().textContent()) ?? '', /Shall we meet on Friday/)
  assert.equal(await page.locator('#messages .reactions').first().textContent(), '👍')
  const thumb = page.locator('#messages img.thumb').first()
  await until(async () => thumb.evaluate((img) => (img as unknown as { complete: boolean; naturalWidth: number }).complete && (img as unknown as { naturalWidth: number }).naturalWidth > 0), 10_000, 'the thumbnail')
  await page.screenshot({ path: join(SHOTS, 'messages.png') })
})

test('export downloads a ZIP whose chat.json parses', async () => {
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export-chat').click()])
  const file = await download.path()
  const zip = readZip(readFileSync(file))
  const chat = JSON.parse(zip.get('chat.json')!.toString()) as { chat: { jid: string }; messages: unknown[] }
  assert.equal(chat.chat.jid, ada.jid)
  assert.ok(chat.messages.length >= 4)
})

test('settings: a bad value shows the server\'s error, a good one persists across a restart', async () => {
  await page.locator('#tab-settings').click()
  await page.locator('#set-upload_max_mb').waitFor()
  await page.locator('#set-upload_max_mb').fill('-5')
  await page.locator('#settings-form button[type=submit]').click()
  await until(async () => ((await page.locator('#set-upload_max_mb-error').textContent()) ?? '').length > 0, 5000, 'the field error')
  await page.screenshot({ path: join(SHOTS, 'settings.png') })
  await page.locator('#set-upload_max_mb').fill('7')
  await page.locator('#settings-form button[type=submit]').click()
  await until(async () => (await page.locator('#toast').textContent()) === 'Settings saved', 5000, 'saved')
  await server.stop()
  server = await startServerProcess(emu, { ADMIN_TOKEN: TOKEN }, server.dataDir)
  await signIn(page)
  await page.locator('#tab-settings').click()
  await until(async () => (await page.locator('#set-upload_max_mb').inputValue()) === '7', 10_000, 'the saved value after the restart')
})

test('logout brings back a QR', async () => {
  await page.locator('#tab-link').click()
  await until(async () => (await page.locator('#badge').textContent())?.startsWith('ready'), 30_000, 'ready after the restart')
  await page.locator('#act-logout').click()
  await page.locator('#qr-box').waitFor({ state: 'visible', timeout: 30_000 })
})

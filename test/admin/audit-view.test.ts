// The admin UI's Audit tab in headless Chromium against a linked server: the calls an MCP client made show
// with their tool, chat and result, a filter narrows them, "Older" pages back, the export button downloads
// JSON lines that parse, and the page logs no console error throughout.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import { startEmulator, type Emulator } from '../emulator/emulator.js'
import type { Person } from '../emulator/person.js'
import { call, until } from '../helpers/server-process.js'
import { startLinkedServer, type LinkedServer } from '../helpers/link.js'
import { launchBrowser } from '../helpers/browser.js'

const ACCOUNT = '15550009101'
let emu: Emulator
let linked: LinkedServer
let browser: Browser
let page: Page
let ada: Person
const consoleErrors: string[] = []

before(async () => {
  emu = await startEmulator()
  ada = emu.person({ phone: '447700900911', name: 'Ada View' })
  linked = await startLinkedServer(emu, ACCOUNT)
  const sent = await call(linked.client, 'send_message', { recipient_jid: ada.phone, message: 'hello audit view' })
  assert.ok(sent.ok)
  await call(linked.client, 'get_message_by_id', { message_id: `${ada.jid}:MISSING` })
  // more reads than one page holds
  for (let i = 0; i < 55; i++) await call(linked.client, 'list_chats', { limit: 1 })
  browser = await launchBrowser()
  page = await browser.newPage({ viewport: { width: 1300, height: 900 }, acceptDownloads: true })
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text())
  })
  page.on('pageerror', (e) => consoleErrors.push(String(e)))
  page.on('response', (r) => {
    if (r.status() >= 400) consoleErrors.push(`${r.status()} ${r.url()}`)
  })
  await page.goto(`${linked.server.url}/admin#audit`)
  await page.locator('#audit-rows tr[data-id]').first().waitFor()
})

after(async () => {
  await browser?.close()
  await linked?.close()
  await emu?.close()
})

test('the newest page shows the calls, and "Older" brings the rest', async () => {
  // linking called get_qr_code until the QR came (how often depends on the machine): those calls are in the trail too
  const total = (await (await fetch(`${linked.server.url}/api/audit/export`)).text()).trim().split('\n').length
  assert.ok(total > 57, `${total} records`)
  assert.equal(await page.locator('#audit-rows tr[data-id]').count(), 50)
  assert.equal(await page.locator('#audit-rows tr[data-id]').first().locator('.audit-tool').innerText(), 'list_chats')
  for (let shown = 50; shown < total; shown = Math.min(total, shown + 50)) {
    await page.locator('#audit-more').click()
    await page.locator('#audit-rows tr[data-id]').nth(Math.min(total, shown + 50) - 1).waitFor()
  }
  assert.equal(await page.locator('#audit-rows tr[data-id]').count(), total)
  const ids = await Promise.all((await page.locator('#audit-rows tr[data-id]').all()).map(async (r) => Number(await r.getAttribute('data-id'))))
  assert.equal(new Set(ids).size, total, 'no row twice')
  // a last page exactly full still has a cursor: the next one is empty and ends the paging
  if (await page.locator('#audit-more').isVisible()) await page.locator('#audit-more').click()
  await page.locator('#audit-more').waitFor({ state: 'hidden' })
  assert.equal(await page.locator('#audit-rows tr[data-id]').count(), total)
})

test('a filter by tool shows the send with its chat, and one by result the failure with its code', async () => {
  await page.locator('#audit-tool').fill('send_message')
  await page.locator('#audit-filters button[type=submit]').click()
  // the unfiltered rows stay until the filtered page comes (the failed lookup names Ada's chat too)
  await until(async () => (await page.locator('#audit-rows tr[data-id]').count()) === 1, 10_000, 'the filtered page')
  await page.locator('#audit-rows tr[data-id]', { hasText: ada.jid }).waitFor()
  assert.equal(await page.locator('#audit-rows .audit-tool').innerText(), 'send_message')
  assert.doesNotMatch(await page.locator('#audit-rows').innerText(), /hello audit view/, 'no text without the setting')
  await page.locator('#audit-tool').fill('')
  await page.locator('#audit-code').fill('MESSAGE_NOT_FOUND')
  await page.locator('#audit-filters button[type=submit]').click()
  await until(async () => (await page.locator('#audit-rows tr.outcome-ok').count()) === 0, 10_000, 'the filtered page')
  await page.locator('#audit-rows tr.outcome-error', { hasText: 'get_message_by_id' }).waitFor()
  assert.equal(await page.locator('#audit-rows tr[data-id]').count(), 1)
  assert.equal(await page.locator('#audit-rows .audit-result').innerText(), 'MESSAGE_NOT_FOUND')
})

test('the export button downloads JSON lines with the same filter, and the page logged no error', async () => {
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#audit-export').click()])
  const lines = readFileSync((await download.path())!, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { tool: string; code: string })
  assert.deepEqual(lines.map((l) => [l.tool, l.code]), [['get_message_by_id', 'MESSAGE_NOT_FOUND']])
  assert.deepEqual(consoleErrors, [])
})

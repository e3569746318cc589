// The admin UI's Webhooks tab in headless Chromium against a linked server and a receiver on 127.0.0.1:
// a bad URL shows the server's coded error, an endpoint is added (its secret shown once), the delivery log
// shows a retried delivery, "Send again" sends it once more, an endpoint is disabled and removed.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { startEmulator, type Emulator } from '../emulator/emulator.js'
import type { Person } from '../emulator/person.js'
import { until } from '../helpers/server-process.js'
import { startLinkedServer, type LinkedServer } from '../helpers/link.js'
import { launchBrowser } from '../helpers/browser.js'
import { startReceiver, type Receiver } from '../helpers/webhook-receiver.js'

const ACCOUNT = '15550007001'
const SHOTS = fileURLToPath(new URL('../../../test-output/screenshots/', import.meta.url))
let emu: Emulator
let linked: LinkedServer
let browser: Browser
let page: Page
let ada: Person
let rx: Receiver

before(async () => {
  mkdirSync(SHOTS, { recursive: true })
  emu = await startEmulator()
  ada = emu.person({ phone: '447700900777', name: 'Ada' })
  linked = await startLinkedServer(emu, ACCOUNT, { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_BASE_MS: '100', WEBHOOK_RETRY_MAX_MS: '200' })
  rx = await startReceiver()
  browser = await launchBrowser()
  page = await browser.newPage({ viewport: { width: 1300, height: 900 } })
  page.on('dialog', (d) => void d.accept())
  await page.goto(`${linked.server.url}/admin#webhooks`)
  await page.locator('#webhook-form').waitFor({ state: 'visible' })
})

after(async () => {
  await browser?.close()
  await linked?.close()
  await rx?.close()
  await emu?.close()
})

test('a URL that is not http(s) shows the server\'s coded error and adds nothing', async () => {
  await page.locator('#wh-url').fill('ftp://example.com/in')
  await page.locator('#webhook-form button[type=submit]').click()
  await page.locator('#webhook-error', { hasText: 'WEBHOOK_URL_INVALID' }).waitFor()
  assert.match(await page.locator('#webhook-endpoints').innerText(), /No webhook endpoints yet/)
})

test('an endpoint is added with its secret shown once; a retried delivery shows in the log and "Send again" sends it again', async () => {
  const tries = new Map<string, number>()
  rx.respond = (r) => {
    const n = (tries.get(r.id) ?? 0) + 1
    tries.set(r.id, n)
    return n === 1 ? 500 : 200
  }
  await page.locator('#wh-url').fill(rx.url)
  await page.locator('#wh-kinds').fill('message')
  await page.locator('#wh-description').fill('the test receiver')
  await page.locator('#webhook-form button[type=submit]').click()
  await page.locator('#webhook-secret', { hasText: 'whsec_' }).waitFor()
  await page.locator('#webhook-endpoints tr[data-id]', { hasText: 'the test receiver' }).waitFor()
  await ada.sendText(ACCOUNT, 'hello webhooks')
  await rx.until((rs) => rs.some((r) => r.answered === 200))
  const row = page.locator('#webhook-log tr.status-delivered')
  await until(async () => {
    await page.locator('#webhook-refresh').click()
    return (await row.count()) === 1
  }, 10_000, 'the delivered row')
  assert.equal(await row.locator('td').nth(4).innerText(), '2', 'two attempts: one failed, one delivered')
  await page.screenshot({ path: `${SHOTS}webhooks.png`, fullPage: true })
  const id = rx.received[0]!.id
  await row.locator('.wh-resend').click()
  await rx.until((rs) => rs.filter((r) => r.id === id && r.answered === 200).length === 2, 10_000, 'the delivery sent again')
})

test('an endpoint is disabled with its checkbox and removed with its button', async () => {
  await page.locator('#webhook-endpoints .wh-enabled').uncheck()
  await until(async () => ((await (await fetch(`${linked.server.url}/api/webhooks`)).json()) as { endpoints: Array<{ enabled: boolean }> }).endpoints[0]?.enabled === false, 10_000, 'disabled')
  await page.locator('#webhook-endpoints .wh-remove').click()
  await page.locator('#webhook-endpoints', { hasText: 'No webhook endpoints yet' }).waitFor()
  assert.deepEqual(((await (await fetch(`${linked.server.url}/api/webhooks`)).json()) as { endpoints: unknown[] }).endpoints, [])
})

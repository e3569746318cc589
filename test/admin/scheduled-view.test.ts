// The admin UI's Scheduled tab in headless Chromium against a linked server: what an MCP client scheduled
// shows soonest first, one that went shows under Recent with its message id, Cancel stops one (it never
// reaches the phone), and the page logs no console error throughout. Plus /api/scheduled's refusals.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import type { Browser, Page } from 'playwright-core'
import { startEmulator, type Emulator } from '../emulator/emulator.js'
import type { Person } from '../emulator/person.js'
import { call, until } from '../helpers/server-process.js'
import { startLinkedServer, type LinkedServer } from '../helpers/link.js'
import { launchBrowser } from '../helpers/browser.js'

const ACCOUNT = '15550032100'
let emu: Emulator
let linked: LinkedServer
let browser: Browser
let page: Page
let ada: Person
const consoleErrors: string[] = []
const ids: Record<string, string> = {}

const schedule = async (message: string, delaySeconds: number): Promise<string> => {
  const r = await call(linked.client, 'schedule_message', { recipient_jid: ada.phone, message, delay_seconds: delaySeconds })
  assert.equal(r.ok, true, JSON.stringify(r.data))
  return r.data.id as string
}
const api = async (method: string, path: string) => {
  const r = await fetch(`${linked.server.url}${path}`, { method })
  return { status: r.status, body: (await r.json()) as Record<string, any> }
}

before(async () => {
  emu = await startEmulator()
  ada = emu.person({ phone: '447700900321', name: 'Ada Later' })
  linked = await startLinkedServer(emu, ACCOUNT)
  ids.gone = await schedule('went already', 0)
  await ada.waitFor((m) => m.message.conversation === 'went already' || m.message.extendedTextMessage?.text === 'went already', 20_000)
  await until(async () => (await api('GET', '/api/scheduled')).body.recent.some((e: { id: string }) => e.id === ids.gone), 10_000, 'recorded sent')
  ids.later = await schedule('in two hours', 7200)
  ids.soon = await schedule('in one hour', 3600)
  browser = await launchBrowser()
  page = await browser.newPage({ viewport: { width: 1300, height: 900 } })
  page.on('dialog', (d) => void d.accept())
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text())
  })
  page.on('pageerror', (e) => consoleErrors.push(String(e)))
  page.on('response', (r) => {
    if (r.status() >= 400) consoleErrors.push(`${r.status()} ${r.url()}`)
  })
  await page.goto(`${linked.server.url}/admin#scheduled`)
  await page.locator('#scheduled-pending tr[data-id]').first().waitFor()
})

after(async () => {
  await browser?.close()
  await linked?.close()
  await emu?.close()
})

test('the waiting sends show soonest first with their text, and the one that went shows under Recent with its message id', async () => {
  const rows = page.locator('#scheduled-pending tr[data-id]')
  assert.equal(await rows.count(), 2)
  assert.deepEqual(await rows.evaluateAll((trs) => trs.map((t) => t.getAttribute('data-id'))), [ids.soon, ids.later])
  assert.equal(await rows.first().locator('.scheduled-text').innerText(), 'in one hour')
  const gone = page.locator(`#scheduled-recent tr[data-id="${ids.gone}"]`)
  assert.equal(await gone.locator('.scheduled-status').innerText(), 'sent')
  const sent = (await api('GET', '/api/scheduled')).body.recent.find((e: { id: string }) => e.id === ids.gone)
  assert.match(await gone.innerText(), new RegExp(sent.message_id.split(':').pop()))
})

test('Cancel stops a waiting send: it moves to Recent as cancelled, and the server says so', async () => {
  await page.locator(`#scheduled-pending tr[data-id="${ids.soon}"] button.scheduled-cancel`).click()
  await page.locator(`#scheduled-recent tr[data-id="${ids.soon}"]`).waitFor()
  assert.equal(await page.locator(`#scheduled-recent tr[data-id="${ids.soon}"] .scheduled-status`).innerText(), 'cancelled')
  assert.equal(await page.locator('#scheduled-pending tr[data-id]').count(), 1)
  const listed = await call(linked.client, 'list_scheduled', { status: 'cancelled' })
  assert.deepEqual((listed.data.entries as Array<{ id: string }>).map((e) => e.id), [ids.soon])
  assert.deepEqual(consoleErrors, [])
})

test('/api/scheduled refuses what it does not know with the error body', async () => {
  const rows: Array<[string, string, number, string]> = [
    ['POST', '/api/scheduled/ob_nothere/cancel', 404, 'SCHEDULED_NOT_FOUND'],
    ['POST', '/api/scheduled/..%2F..%2Fetc/cancel', 404, 'SCHEDULED_NOT_FOUND'],
    ['POST', `/api/scheduled/${ids.gone}/cancel`, 409, 'SCHEDULED_ALREADY_SENT'],
    ['GET', '/api/scheduled?kind=other', 400, 'INVALID_INPUT'],
    ['GET', '/api/scheduled?limit=0', 400, 'INVALID_INPUT']
  ]
  for (const [method, path, status, code] of rows) {
    const r = await api(method, path)
    assert.equal(r.status, status, `${method} ${path}: ${JSON.stringify(r.body)}`)
    assert.equal(r.body.error.code, code, `${method} ${path}`)
  }
  const again = await api('POST', `/api/scheduled/${ids.soon}/cancel`)
  assert.equal(again.status, 200, 'cancelling a cancelled one answers as it is')
  assert.equal(again.body.entry.status, 'cancelled')
})

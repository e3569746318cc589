// The admin UI's Approvals tab in headless Chromium against a linked server whose chat with Ada is marked
// "needs approval" (the per-chat policy): a send waits and shows up live with its text, the chat and a
// badge; Approve lets it reach Ada; Edit then approve sends the edited text; Reject with a note fails the
// call with that note and nothing arrives; the decisions are listed; the page logs no error throughout.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import type { Browser, Page } from 'playwright-core'
import { startEmulator, type Emulator } from '../emulator/emulator.js'
import type { Person } from '../emulator/person.js'
import { call, until } from '../helpers/server-process.js'
import { startLinkedServer, type LinkedServer } from '../helpers/link.js'
import { launchBrowser } from '../helpers/browser.js'

const ACCOUNT = '15550009401'
let emu: Emulator
let linked: LinkedServer
let browser: Browser
let page: Page
let ada: Person
const consoleErrors: string[] = []
const textOf = (m: Person['inbox'][number]) => m.message.conversation ?? m.message.extendedTextMessage?.text
const card = (text: string) => page.locator('#approvals-pending li.approval', { hasText: text })

before(async () => {
  emu = await startEmulator()
  ada = emu.person({ phone: '447700900941', name: 'Ada Queue' })
  emu.setHistory(ACCOUNT, { chats: [{ jid: ada.phone, messages: [{ text: 'earlier', id: 'AQ1' }] }] })
  linked = await startLinkedServer(emu, ACCOUNT)
  await until(async () => (await call(linked.client, 'get_chat_by_id', { jid: ada.jid })).ok, 20_000, 'history stored')
  const r = await fetch(`${linked.server.url}/api/chat-policy/${encodeURIComponent(ada.jid)}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ policy: 'approval' }) })
  assert.equal(r.status, 200)
  browser = await launchBrowser()
  page = await browser.newPage({ viewport: { width: 1300, height: 900 } })
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text())
  })
  page.on('pageerror', (e) => consoleErrors.push(String(e)))
  page.on('response', (r) => {
    if (r.status() >= 400) consoleErrors.push(`${r.status()} ${r.url()}`)
  })
  await page.goto(`${linked.server.url}/admin#approvals`)
  await page.locator('#approvals-empty').waitFor()
})

after(async () => {
  await browser?.close()
  await linked?.close()
  await emu?.close()
})

test('a held send shows up live as it will look, with a badge, and Approve lets it reach the chat', async () => {
  const held = call(linked.client, 'send_message', { recipient_jid: ada.jid, message: 'Hello Ada,\nsee you at 5?' })
  // no reload: the event stream brings it
  await card('see you at 5?').waitFor()
  assert.equal(await page.locator('#approvals-badge').innerText(), '1')
  assert.equal(await card('see you at 5?').locator('.approval-text').innerText(), 'Hello Ada,\nsee you at 5?')
  assert.match(await card('see you at 5?').innerText(), new RegExp(ada.jid.replace('.', '\\.')))
  assert.match(await card('see you at 5?').locator('.approval-code').innerText(), /^[A-Z2-9]{5}$/)
  await card('see you at 5?').locator('.approval-approve').click()
  const out = await held
  assert.equal(out.ok, true, JSON.stringify(out.data))
  await ada.waitFor((m) => textOf(m) === 'Hello Ada,\nsee you at 5?')
  await card('see you at 5?').waitFor({ state: 'detached' })
  await page.locator('#approvals-badge').waitFor({ state: 'hidden' })
  await page.locator('#approvals-recent tr.approval-approved').first().waitFor()
})

test('Edit then approve sends the text as the person rewrote it', async () => {
  const held = call(linked.client, 'send_message', { recipient_jid: ada.jid, message: 'meet at the pub' })
  await card('meet at the pub').locator('.approval-edit').click()
  await card('meet at the pub').locator('.approval-edit-text').fill('meet at the café')
  await card('meet at the pub').locator('.approval-edit').click()
  assert.equal((await held).ok, true)
  await ada.waitFor((m) => textOf(m) === 'meet at the café')
  assert.equal(ada.inbox.filter((m) => textOf(m) === 'meet at the pub').length, 0)
  await page.locator('#approvals-recent tr', { hasText: 'meet at the café' }).waitFor()
})

test('Reject with a note fails the call with that note, nothing arrives, and the page logged no error', async () => {
  const held = call(linked.client, 'send_message', { recipient_jid: ada.jid, message: 'you are fired' })
  await card('you are fired').locator('.approval-note').fill('not by message')
  await card('you are fired').locator('.approval-reject').click()
  const out = await held
  assert.equal(out.data.code, 'APPROVAL_REJECTED')
  assert.match(String(out.data.message), /not by message/)
  await page.locator('#approvals-recent tr.approval-rejected', { hasText: 'not by message' }).waitFor()
  // a later approved send arrives, and the rejected one never did before it
  const next = call(linked.client, 'send_message', { recipient_jid: ada.jid, message: 'see you tomorrow' })
  await card('see you tomorrow').locator('.approval-approve').click()
  assert.equal((await next).ok, true)
  await ada.waitFor((m) => textOf(m) === 'see you tomorrow')
  assert.equal(ada.inbox.filter((m) => textOf(m) === 'you are fired').length, 0)
  assert.deepEqual(consoleErrors, [])
})

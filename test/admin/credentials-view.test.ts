// The admin UI's Credentials tab in headless Chromium against a linked server: a scope naming an unknown
// chat shows the server's coded error, a credential is made (its token shown once, and it works at /mcp
// with the read tools only), a chat policy is set and cleared, and the credential is revoked.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { startEmulator, type Emulator } from '../emulator/emulator.js'
import type { Person } from '../emulator/person.js'
import { until, call } from '../helpers/server-process.js'
import { startLinkedServer, type LinkedServer } from '../helpers/link.js'
import { launchBrowser } from '../helpers/browser.js'

const ACCOUNT = '15550009201'
const SHOTS = fileURLToPath(new URL('../../../test-output/screenshots/', import.meta.url))
let emu: Emulator
let linked: LinkedServer
let browser: Browser
let page: Page
let ada: Person
let token = ''

const toolsList = async (bearer: string) => {
  const r = await fetch(`${linked.server.url}/mcp`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', accept: 'application/json', 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/list' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} } } })
  })
  return { status: r.status, body: (await r.json()) as { result?: { tools: unknown[] }; error?: { data?: { code: string } } } }
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true })
  emu = await startEmulator()
  ada = emu.person({ phone: '447700900921', name: 'Ada Cred' })
  emu.setHistory(ACCOUNT, { chats: [{ jid: ada.phone, messages: [{ text: 'hello', id: 'C1' }] }] })
  linked = await startLinkedServer(emu, ACCOUNT)
  await until(async () => ((await call(linked.client, 'list_chats', {})).data.chats as unknown[] | undefined)?.length || undefined, 20_000, 'history stored')
  browser = await launchBrowser()
  page = await browser.newPage({ viewport: { width: 1300, height: 1000 } })
  page.on('dialog', (d) => void d.accept())
  await page.goto(`${linked.server.url}/admin#access`)
  await page.locator('#cred-form').waitFor({ state: 'visible' })
})

after(async () => {
  await browser?.close()
  await linked?.close()
  await emu?.close()
})

test('a scope naming an unknown chat shows the server\'s coded error and makes nothing', async () => {
  await page.locator('#cred-name').fill('typo')
  await page.locator('#cred-mode').selectOption('allow')
  await page.locator('#cred-chats').fill('+1 999 999 9999')
  await page.locator('#cred-form button[type=submit]').click()
  await page.locator('#cred-error', { hasText: 'CREDENTIALS_INVALID' }).waitFor()
  assert.match(await page.locator('#cred-list').innerText(), /No credentials yet/)
})

test('a credential is made with its token shown once, and the token opens /mcp with the read tools only', async () => {
  await page.locator('#cred-name').fill('reader agent')
  await page.locator('#cred-mode').selectOption('allow')
  await page.locator('#cred-chats').fill(`+${ada.phone}`)
  await page.locator('#cred-form button[type=submit]').click()
  const out = page.locator('#cred-token', { hasText: 'wms_' })
  await out.waitFor()
  token = /wms_[A-Za-z0-9_-]+/.exec(await out.innerText())![0]
  const row = page.locator('#cred-list tr[data-id]', { hasText: 'reader agent' })
  await row.waitFor()
  assert.match(await row.innerText(), new RegExp(`only ${ada.jid.replace('.', '\\.')}`))
  assert.ok(!(await page.locator('#cred-list').innerText()).includes(token), 'the list shows the token')
  const r = await toolsList(token)
  assert.equal(r.status, 200)
  assert.equal(r.body.result!.tools.length, 21)
  await page.screenshot({ path: `${SHOTS}credentials.png`, fullPage: true })
})

test('a chat policy is set from the form, listed, and cleared with its button', async () => {
  await page.locator('#policy-jid').fill(`+${ada.phone}`)
  await page.locator('#policy-kind').selectOption('read_only')
  await page.locator('#policy-form button[type=submit]').click()
  const row = page.locator('#policy-list tr[data-jid]', { hasText: ada.jid })
  await row.locator('.policy-name', { hasText: 'read only' }).waitFor()
  const sent = await fetch(`${linked.server.url}/api/chat-policy`).then((x) => x.json() as Promise<{ policies: Array<{ jid: string; policy: string }> }>)
  assert.deepEqual(sent.policies.map((p) => [p.jid, p.policy]), [[ada.jid, 'read_only']])
  await row.locator('.policy-clear').click()
  await page.locator('#policy-list', { hasText: 'No chat has a policy' }).waitFor()
})

test('revoking the credential refuses its token at once', async () => {
  await page.locator('#cred-list tr[data-id]', { hasText: 'reader agent' }).locator('.cred-revoke').click()
  await page.locator('#cred-list .cred-state', { hasText: 'revoked' }).waitFor()
  const r = await toolsList(token)
  assert.equal(r.status, 401)
  assert.equal(r.body.error?.data?.code, 'CREDENTIAL_REVOKED')
})

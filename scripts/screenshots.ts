// `npm run screenshots`: pictures of every admin tab at desktop and phone size, taken in headless Chromium
// against the emulator's demo account (as `npm run demo` shows it), written small (palette PNG) to
// docs/screenshots/<tab>-<size>.png for the README. Nothing here reaches WhatsApp.
import { mkdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import sharp from 'sharp'
import { startEmulator } from '../test/emulator/emulator.js'
import { seedDemo } from '../test/emulator/demo-seed.js'
import { call, startServerProcess, until } from '../test/helpers/server-process.js'
import { launchBrowser } from '../test/helpers/browser.js'
import { VIEWPORTS, newPage, openChat, showTab, tabNames, watchPage, type ViewportName } from '../test/helpers/admin-tour.js'

const ACCOUNT = '15550001111'
// the demo's first chat: a photo, and (below) a reply with its quote and a reaction
const CHAT = '15552000000@s.whatsapp.net'
// dist/scripts -> the repository's docs/
const OUT = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url))

const emu = await startEmulator()
await seedDemo(emu, ACCOUNT)
// linked as `npm run demo` links it, under the account's name
const server = await startServerProcess(emu)
const client = await server.mcp()
const qr = await until(async () => {
  const r = await call(client, 'get_qr_code')
  return r.ok ? r : undefined
}, 30_000, 'a QR code')
await emu.scanQr(qr.data.qr as string, { phone: ACCOUNT, name: 'Demo Account' })
await until(async () => (await call(client, 'check_auth_status')).data.ready, 30_000, 'ready')
const linked = { server, close: () => server.stop() }
const browser = await launchBrowser()
try {
  const ada = emu.person({ phone: '15552000000' })
  const asked = await ada.sendText(ACCOUNT, 'Shall we meet on Friday?')
  await ada.sendText(ACCOUNT, 'At the café on the corner, I mean', { quoted: { key: { id: asked.id }, text: 'Shall we meet on Friday?' } })
  await ada.react(ACCOUNT, { id: asked.id, remoteJid: ada.jid }, '👍')
  await until(async () => {
    const r = (await (await fetch(`${linked.server.url}/api/chats/${encodeURIComponent(CHAT)}/messages?limit=5`)).json()) as { messages: Array<{ reactions?: unknown[] }> }
    return r.messages.some((m) => m.reactions?.length)
  }, 15_000, 'the reply and the reaction stored')
  // what an agent does, for the audit trail (and an answer of ours in the chat)
  await call(client, 'list_chats', { limit: 10 })
  await call(client, 'search_messages', { query: 'café' })
  await call(client, 'send_message', { recipient_jid: CHAT, message: 'Friday works. See you there!' })
  await client.close()
  mkdirSync(OUT, { recursive: true })
  const written: string[] = []
  for (const size of Object.keys(VIEWPORTS) as ViewportName[]) {
    const page = await newPage(browser, size, { locale: 'en-GB', timezoneId: 'UTC', colorScheme: 'light' })
    const problems = watchPage(page)
    await page.goto(`${linked.server.url}/admin`)
    await until(async () => (await page.locator('#badge').textContent())?.startsWith('ready'), 30_000, 'ready')
    for (const name of await tabNames(page)) {
      await showTab(page, name)
      if (name === 'chats') {
        await openChat(page, CHAT)
        await page.locator('#messages .reactions').first().waitFor()
      }
      if (name === 'link') await page.locator('#status-list dd').first().waitFor()
      const png = await page.screenshot()
      const file = join(OUT, `${name}-${size}.png`)
      writeFileSync(file, await sharp(png).png({ palette: true, quality: 85, compressionLevel: 9, effort: 10 }).toBuffer())
      written.push(file)
    }
    await page.close()
    if (problems.length) throw new Error(`the admin page reported problems:\n${problems.join('\n')}`)
  }
  console.log(written.map((f) => `wrote ${f}`).join('\n'))
} finally {
  await browser.close()
  await linked.close()
  await emu.close()
}

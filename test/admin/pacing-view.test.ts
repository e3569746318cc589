// The pacing panel of the status view (admin/src/pacing-view.ts): its rows for each state, then the panel
// itself in headless Chromium against a real server, fed by the live status stream.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import type { Browser } from 'playwright-core'
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js'
import { launchBrowser } from '../helpers/browser.js'

type Rows = Array<[string, string]>
// dist/test/admin -> dist/admin (the admin build has a tsconfig of its own, so no static import)
const { pacingRows } = (await import(new URL('../../admin/pacing-view.js', import.meta.url).href)) as { pacingRows(p: unknown): Rows }

const base = {
  enabled: true,
  over_limit: 'queue',
  typing_presence: true,
  limits: { chat_min_gap_ms: 6000, chat_per_minute: 6, chat_per_hour: 60, new_chats_per_day: 20, per_minute: 8, per_day: 1500, jitter_ms: 3000 },
  warm_up: { active: false, day: 9, days: 7, ends_at: null, linked_at: 1 },
  used: { per_minute: 2, per_day: 40, new_chats_per_day: 3 },
  queue: { length: 0, next_send_at: null },
  sends: { immediate: 5, waited: 1, queued: 2, refused: 0 },
  last_held_by: null
}
const row = (rows: Rows, label: string) => rows.find(([k]) => k === label)?.[1]

const table: Array<[string, Record<string, unknown>, string, RegExp]> = [
  ['pacing off says so and nothing else', { enabled: false }, 'Pacing', /^off/],
  ['queue mode', {}, 'Pacing', /queued; shows typing first$/],
  ['refuse mode names the code', { over_limit: 'refuse', typing_presence: false }, 'Pacing', /refused \(RATE_LIMITED\)$/],
  ['a warm-up in force shows its day', { warm_up: { active: true, day: 2, days: 7, ends_at: Date.UTC(2026, 11, 8), linked_at: 1 } }, 'Warm-up', /^day 2 of 7, until /],
  ['a warm-up that is over', {}, 'Warm-up', /^over$/],
  ['a warm-up before any link', { warm_up: { active: false, day: 0, days: 7, ends_at: null, linked_at: null } }, 'Warm-up', /^7 days from the first link$/],
  ['no warm-up configured', { warm_up: { active: false, day: 0, days: 0, ends_at: null, linked_at: null } }, 'Warm-up', /^off$/],
  ['used against the limit', {}, 'Sends in 24 h', /^40 of 1500$/],
  ['a limit that is off', { limits: { ...base.limits, per_minute: 0 } }, 'Sends this minute', /^2 of no limit$/],
  ['the per-chat limits in words', {}, 'Per chat', /^gap 6 s, 6 a minute, 60 an hour; jitter up to 3 s$/],
  ['an empty queue', {}, 'Queued', /^none$/],
  ['a queue with its next send', { queue: { length: 4, next_send_at: Date.UTC(2026, 11, 1, 12) } }, 'Queued', /^4, next at /]
]

for (const [name, over, label, want] of table) {
  test(`pacing panel: ${name}`, () => {
    const rows = pacingRows({ ...base, ...over })
    assert.match(row(rows, label) ?? '', want, JSON.stringify(rows))
    for (const [, v] of rows) assert.doesNotMatch(v, /undefined|NaN|null/)
  })
}

let server: ServerProcess
let browser: Browser

before(async () => {
  // no emulator: the panel shows the limits whether or not an account is linked
  server = await startServerProcess(undefined, { WA_WS_URL: 'ws://127.0.0.1:9/ws', PACING_ENABLED: 'true' })
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await server?.stop()
})

test('the status view shows the pacing panel from the live status, and follows a change of the settings', async () => {
  const page = await browser.newPage()
  const errors: string[] = []
  page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())))
  await page.goto(`${server.url}/admin`)
  const panel = page.locator('#pacing-panel')
  await panel.waitFor({ state: 'visible' })
  assert.match(await panel.innerText(), /Pacing of sends[\s\S]*Sends in 24 h\s+0 of 1500/)
  const r = await fetch(`${server.url}/api/settings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pacing_over_limit: 'refuse', pacing_per_day: 300 }) })
  assert.equal(r.status, 200)
  await page.locator('#pacing-list', { hasText: 'refused (RATE_LIMITED)' }).waitFor({ timeout: 15_000 })
  assert.match(await panel.innerText(), /0 of 300/)
  assert.deepEqual(errors, [])
})

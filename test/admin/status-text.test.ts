// The status view's words (admin/src/status-text.ts), row by row: no raw enums, no doubled punctuation, the
// restart after linking is no disconnect, and a network failure says so plainly. Also the message order of
// the chat view (chats-view.ts displayOrder). The compiled modules are imported as the page loads them.
import { test } from 'node:test'
import assert from 'node:assert/strict'

interface Wa {
  linked: boolean
  ready: boolean
  state: string
  message: string
  me?: { jid: string; name?: string }
  last_disconnect?: { code?: number; reason: string; at: number }
  history: { syncType: string; progress?: number; messages: number; chats: number } | null
}
interface StatusText {
  headline(wa: Wa): string
  badgeText(wa: Wa): string
  unreachable(wa: Wa): boolean
  lastDisconnect(wa: Wa, fmt: (ms: number) => string): string
  historyText(h: Wa['history']): string
  historyKind(t: string): string
}
// dist/test/admin -> dist/admin (the admin build has a tsconfig of its own, so no static import)
const text = (await import(new URL('../../admin/status-text.js', import.meta.url).href)) as StatusText
const { displayOrder } = (await import(new URL('../../admin/chats-view.js', import.meta.url).href)) as { displayOrder<T extends { timestamp: number }>(m: T[]): T[] }

const wa = (over: Partial<Wa>): Wa => ({ linked: true, ready: false, state: 'open', message: '', history: null, ...over })
const AT = Date.UTC(2026, 11, 1, 12)
const refused = { code: undefined, reason: 'connect ECONNREFUSED 127.0.0.1:443', at: AT }

const HEADLINES: Array<{ name: string; wa: Wa; says: RegExp }> = [
  { name: 'ready', wa: wa({ ready: true, me: { jid: '1@s.whatsapp.net', name: 'Ada' } }), says: /^Ready: linked as Ada and connected\.$/ },
  { name: 'waiting for a scan', wa: wa({ linked: false, state: 'awaiting-qr' }), says: /^Not linked: scan the QR code/ },
  { name: 'reconnecting, linked', wa: wa({ state: 'reconnecting', last_disconnect: { code: 428, reason: 'Connection Terminated', at: AT } }), says: /reconnecting…$/ },
  { name: 'no network (refused)', wa: wa({ state: 'reconnecting', last_disconnect: refused }), says: /^Cannot reach WhatsApp/ },
  { name: 'no network (no DNS)', wa: wa({ linked: false, state: 'connecting', last_disconnect: { reason: 'getaddrinfo ENOTFOUND web.whatsapp.com', at: AT } }), says: /^Cannot reach WhatsApp/ },
  { name: 'no network (timed out)', wa: wa({ state: 'reconnecting', last_disconnect: { code: 408, reason: 'Connection was lost', at: AT } }), says: /^Cannot reach WhatsApp/ },
  { name: 'logged out', wa: wa({ linked: false, state: 'logged-out' }), says: /^Logged out: scan a new QR code/ },
  { name: 'replaced', wa: wa({ state: 'replaced' }), says: /took over this link/ },
  { name: 'linking', wa: wa({ linked: false, state: 'linking', last_disconnect: { code: 515, reason: 'Stream Errored (restart required)', at: AT } }), says: /^Linking/ }
]

for (const row of HEADLINES) {
  test(`the headline for ${row.name} is one plain sentence`, () => {
    const h = text.headline(row.wa)
    assert.match(h, row.says)
    assert.doesNotMatch(h, /\.\.|…\.|: ready\.|\b[a-z]+-[a-z]+\b(?!-)/, `no doubled stops, no state names: ${h}`)
  })
}

test('the badge says "no network" when WhatsApp cannot be reached, and the state otherwise', () => {
  assert.equal(text.badgeText(wa({ state: 'reconnecting', last_disconnect: refused })), 'no network')
  assert.equal(text.badgeText(wa({ linked: false, state: 'awaiting-qr' })), 'not linked')
  assert.match(text.badgeText(wa({ ready: true, me: { jid: 'x', name: 'Ada' } })), /^ready · Ada$/)
  // without a name, the number as people write it, not the JID
  assert.equal(text.badgeText(wa({ ready: true, me: { jid: '15550001111:3@s.whatsapp.net' } })), 'ready · +15550001111')
  // a state that is not a connection attempt is not a network verdict, whatever the last disconnect said
  assert.equal(text.unreachable(wa({ state: 'open', last_disconnect: refused })), false)
})

test('the restart WhatsApp asks for after linking (515) is not shown as the last disconnect', () => {
  const fmt = (ms: number) => new Date(ms).toISOString()
  assert.equal(text.lastDisconnect(wa({ last_disconnect: { code: 515, reason: 'Stream Errored (restart required)', at: AT } }), fmt), '—')
  assert.equal(text.lastDisconnect(wa({}), fmt), '—')
  assert.equal(text.lastDisconnect(wa({ last_disconnect: { code: 428, reason: 'Connection Terminated', at: AT } }), fmt), 'Connection Terminated (428) · 2026-12-01T12:00:00.000Z')
})

test('the history row names the sync kind in words, never the raw enum', () => {
  for (const kind of ['INITIAL_BOOTSTRAP', 'PUSH_NAME', 'RECENT', 'FULL', 'ON_DEMAND', 'NON_BLOCKING_DATA', 'INITIAL_STATUS_V3', 'SOMETHING_NEW']) {
    const row = text.historyText({ syncType: kind, messages: 200, chats: 23, progress: 100 })
    assert.doesNotMatch(row, /[A-Z]{2,}_|_/, row)
    assert.match(row, /^200 messages, 23 chats \(last: [a-z ,]+\)$/, row)
  }
  assert.equal(text.historyKind('PUSH_NAME'), 'contact names')
  assert.match(text.historyText({ syncType: 'INITIAL_BOOTSTRAP', messages: 10, chats: 2, progress: 40 }), / · 40%$/)
})

test('messages of the same second show in the order they were sent (the API pages newest first)', () => {
  // as the API returns them: newest first, a tie at t=5 listed c, b, a; then an older page
  const page1 = [{ id: 'd', timestamp: 6000 }, { id: 'c', timestamp: 5000 }, { id: 'b', timestamp: 5000 }, { id: 'a', timestamp: 5000 }]
  const page2 = [{ id: 'z', timestamp: 1000 }, { id: 'y', timestamp: 1000 }]
  assert.deepEqual(displayOrder([...page1, ...page2]).map((m) => m.id), ['y', 'z', 'a', 'b', 'c', 'd'])
})

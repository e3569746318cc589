// A walk through the admin UI in Chromium, shared by the page tests and `npm run screenshots`: every tab
// the page has (tabs added later are walked too), a chat opened from the list, and a record of every console
// error, uncaught exception and failed request on the way.
import type { Browser, BrowserContextOptions, Page } from 'playwright-core'

/** the two sizes the UI is checked and pictured at */
export const VIEWPORTS = {
  desktop: { width: 1200, height: 800 },
  phone: { width: 390, height: 844 }
} as const
export type ViewportName = keyof typeof VIEWPORTS

/** what went wrong on a page, as it happened: console errors, page errors, requests that failed */
export function watchPage(page: Page): string[] {
  const problems: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()} (${m.location().url})`)
  })
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`))
  page.on('requestfailed', (r) => {
    // the status stream is cut when the page navigates or closes: not a failure of the page
    if (!r.url().endsWith('/api/events')) problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`)
  })
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`)
  })
  return problems
}

/** a new page at `size`, on a context of its own (so a phone is a phone: touch and a small screen) */
export async function newPage(browser: Browser, size: ViewportName, options: BrowserContextOptions = {}): Promise<Page> {
  const ctx = await browser.newContext({ viewport: VIEWPORTS[size], ...(size === 'phone' ? { isMobile: true, hasTouch: true, deviceScaleFactor: 1 } : {}), ...options })
  return ctx.newPage()
}

/** the names of the page's tabs, in order (`tab-chats` -> `chats`) */
export async function tabNames(page: Page): Promise<string[]> {
  return page.locator('[role="tab"]').evaluateAll((tabs) => tabs.map((t) => (t as unknown as { id: string }).id.replace(/^tab-/, '')))
}

/** selects a tab and waits for its panel */
export async function showTab(page: Page, name: string): Promise<void> {
  await page.locator(`#tab-${name}`).click()
  await page.locator(`#view-${name}`).waitFor({ state: 'visible' })
  if (name === 'chats') await page.locator('#chat-list button[data-jid]').first().waitFor()
  if (name === 'settings') await page.locator('#settings-fields input').first().waitFor()
}

/**
 * every image in the message view has loaded or gone: a preview that failed removes itself, a moment after
 * it turns `complete` (its error event is a task of its own), so a broken one keeps this waiting
 */
export async function imagesSettled(page: Page): Promise<void> {
  // a function, not a string: the page's CSP forbids eval, which a string predicate needs when it polls.
  // The DOM is typed by hand: this project's TypeScript has no DOM types outside admin/
  await page.waitForFunction(() => {
    const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ complete: boolean; naturalWidth: number }> } }).document
    return Array.from(doc.querySelectorAll('#messages img')).every((i) => i.complete && i.naturalWidth > 0)
  }, undefined, { timeout: 10_000 })
}

/** opens a chat from the list (tapped on a phone) and waits for its messages and their images */
export async function openChat(page: Page, jid: string): Promise<void> {
  const item = page.locator(`#chat-list button[data-jid="${jid}"]`)
  if (page.viewportSize()!.width < 700) await item.tap()
  else await item.click()
  await page.locator(`#chat-list button[data-jid="${jid}"][aria-current="true"]`).waitFor()
  await page.locator('#messages li.msg').first().waitFor()
  await imagesSettled(page)
}

/** whether the message view shows its newest message: scrolled to the bottom, within a pixel or two */
export async function atNewest(page: Page): Promise<boolean> {
  return page.locator('#messages').evaluate((el) => {
    const e = el as unknown as { scrollHeight: number; scrollTop: number; clientHeight: number }
    return e.scrollHeight - e.scrollTop - e.clientHeight < 3
  })
}

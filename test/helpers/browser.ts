// The Chromium on the PATH (or CHROMIUM_PATH) driven by playwright-core, with the flags a closed network needs.
import { chromium, type Browser } from 'playwright-core'
import { PREREQUISITES, installHint } from '../prerequisites.js'

const chromiumPrereq = PREREQUISITES.find((p) => p.debian === 'chromium')!
export const CHROMIUM = chromiumPrereq.find(process.env)

export function launchBrowser(): Promise<Browser> {
  if (!CHROMIUM) throw new Error(installHint([chromiumPrereq]))
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
  })
}

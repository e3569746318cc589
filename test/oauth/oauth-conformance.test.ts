// The official MCP conformance suite's authorization-server scenarios (0.2.0-alpha.12; its server
// scenarios have no authorization ones, and its auth/* scenarios test clients): the metadata endpoint,
// and the authorization code grant, whose consent step the suite leaves to a browser: headless
// Chromium signs in and approves on the consent page, and the suite's own callback server gets the code.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser } from 'playwright-core'
import { launchBrowser } from '../helpers/browser.js'
import type { ServerProcess } from '../helpers/server-process.js'
import { ADMIN, freePort, register, startOAuthServer } from './oauth-harness.js'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
let server: ServerProcess | undefined
let browser: Browser | undefined

after(async () => {
  await browser?.close()
  await server?.stop()
})

test('0.2.0-alpha.12 authorization server scenarios (metadata endpoint, authorization code grant with PKCE): all checks pass', async () => {
  server = await startOAuthServer()
  const port = await freePort()
  const callback = `http://127.0.0.1:${port}/callback`
  const reg = await register(server, { client_name: 'Conformance suite', redirect_uris: [callback], token_endpoint_auth_method: 'none' })
  const suite = spawn(process.execPath, ['--import', join(ROOT, 'test/conformance/globsync-shim.mjs'), join(ROOT, 'node_modules/mcp-conformance-next/dist/index.js'), 'authorization', '--url', server.url, '--client-id', reg.body.client_id as string, '--port', String(port), '--resource', `${server.url}/mcp`], { cwd: mkdtempSync(join(tmpdir(), 'conformance-')) })
  let out = ''
  suite.stdout.on('data', (d: Buffer) => (out += d.toString()))
  suite.stderr.on('data', (d: Buffer) => (out += d.toString()))
  const exited = new Promise<number | null>((r) => suite.once('exit', r))
  // the suite prints the authorization URL for a person to open, then waits for its callback
  const url = await new Promise<string>((resolve, reject) => {
    const t = setInterval(() => {
      const m = /^(http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\?\S+)$/m.exec(out)
      if (m) {
        clearInterval(t)
        resolve(m[1]!)
      }
    }, 100)
    void exited.then(() => {
      clearInterval(t)
      reject(new Error(`the suite ended before asking for the browser:\n${out}`))
    })
  })
  browser = await launchBrowser()
  const page = await browser.newPage()
  await page.goto(url)
  await page.locator('#token').fill(ADMIN)
  await page.locator('#signin-form button[type=submit]').click()
  await page.locator('#consent').waitFor({ state: 'visible' })
  await page.locator('#approve').click()
  await exited
  const summary = out.split('\n').filter((l) => /^[✓✗!]|Total|Passed|FAIL|WARN/.test(l.trim())).join('\n')
  console.log(summary)
  const m = /Total: (\d+) passed, (\d+) failed/.exec(out) ?? /Passed: (\d+)\/\d+, (\d+) failed/.exec(out)
  assert.ok(m, out)
  assert.equal(Number(m[2]), 0, out)
  assert.ok(Number(m[1]) >= 3, out)
  assert.doesNotMatch(out, /WARNING/, out)
})

// `npm test` on a machine without Chromium: installs it as root, otherwise stops at once in one line; the
// Chromium used is the one on the PATH.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PREREQUISITES, missingFor, onPath } from './prerequisites.js'

const RUN = new URL('./run.js', import.meta.url).pathname

/** a PATH holding only node (and whatever `extra` names), so nothing else of this machine is found */
function bareBin(extra: string[] = []): string {
  const bin = mkdtempSync(join(tmpdir(), 'wams-bin-'))
  symlinkSync(process.execPath, join(bin, 'node'))
  for (const name of extra) {
    writeFileSync(join(bin, name), '#!/bin/sh\nexit 0\n')
    chmodSync(join(bin, name), 0o755)
  }
  return bin
}

test('without Chromium and without leave to install, the admin tests stop at once with one line naming what to install', () => {
  const r = spawnSync(process.execPath, [RUN, 'admin/'], { env: { PATH: bareBin(), HOME: tmpdir(), TEST_NO_INSTALL: '1' }, encoding: 'utf8', timeout: 30_000 })
  assert.equal(r.status, 1)
  const lines = r.stderr.trim().split('\n')
  assert.equal(lines.length, 1, r.stderr)
  assert.match(lines[0]!, /^npm test needs chromium, missing on this machine: install them \(Debian\/Ubuntu: sudo apt-get install -y chromium( fonts-noto-color-emoji)?\)/)
  // nothing ran: the test runner never started
  assert.doesNotMatch(r.stdout, /# (tests|pass)/)
})

test('the Chromium the tests use is the one on the PATH', () => {
  const bin = bareBin(['chromium'])
  assert.equal(onPath(['chromium'], { PATH: bin }), join(bin, 'chromium'))
  const chromium = PREREQUISITES.find((p) => p.debian === 'chromium')!
  assert.equal(chromium.find({ PATH: bin }), join(bin, 'chromium'))
  assert.deepEqual(missingFor(['admin/admin-ui.test.js'], { PATH: bin }).filter((p) => !p.optional), [])
})

test('tests that drive no browser need no Chromium', () => {
  assert.deepEqual(missingFor(['store/chats-repo.test.js'], { PATH: bareBin() }), [])
  assert.deepEqual(missingFor(['admin/admin-ui.test.js'], { PATH: bareBin() }).filter((p) => !p.optional).map((p) => p.debian), ['chromium'])
})

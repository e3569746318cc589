// Every registry code is thrown somewhere: a code nobody raises is a promise to clients that nothing keeps.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ERROR_CODES } from '../../src/errors/codes.js'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))

/**
 * Codes of features not built yet, each with its reason. The list may only shrink: a code raised now must
 * leave it (the second assertion says so).
 */
const NOT_YET_RAISED = new Map([
  ['FORBIDDEN', 'the generic refusal: credentials raise the precise TOOL_FORBIDDEN, CHAT_FORBIDDEN, CHAT_READ_ONLY or MCP_SESSION_FORBIDDEN; nothing refuses without a more precise code yet'],
  ['WA_SESSION_REPLACED', 'the worker stops in its "replaced" state; calls say WA_NOT_READY until the call path reads that state']
])

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []))
}

test('every error code is raised somewhere in the product, except the few listed as not yet', () => {
  const text = ['src', 'workers', 'admin'].flatMap((d) => sources(join(ROOT, d))).filter((f) => !f.endsWith(join('errors', 'codes.ts'))).map((f) => readFileSync(f, 'utf8')).join('\n')
  const unused = Object.keys(ERROR_CODES).filter((c) => !text.includes(`'${c}'`))
  assert.deepEqual(unused.filter((c) => !NOT_YET_RAISED.has(c)), [], 'codes nobody raises')
  assert.deepEqual([...NOT_YET_RAISED.keys()].filter((c) => !unused.includes(c)), [], 'codes now raised: take them off NOT_YET_RAISED')
})

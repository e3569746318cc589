// Every registry code is thrown somewhere: a code nobody raises is a promise to clients that nothing keeps.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ERROR_CODES } from '../../src/errors/codes.js'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))

/**
 * Codes the 2025 transport in src/http/routes/mcp.ts still writes by hand (status and JSON-RPC text), or
 * that wait for their feature. The list may only shrink: moving mcp.ts onto the registry is the next
 * step of the /mcp split, left out of this round because that file is being changed elsewhere.
 */
const NOT_YET_RAISED = new Set(['METHOD_NOT_ALLOWED', 'FORBIDDEN', 'MCP_SESSION_NOT_FOUND', 'MCP_SESSION_REQUIRED', 'WA_SESSION_REPLACED'])

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []))
}

test('every error code is raised somewhere in the product, except the few listed as not yet', () => {
  const text = ['src', 'workers', 'admin'].flatMap((d) => sources(join(ROOT, d))).filter((f) => !f.endsWith(join('errors', 'codes.ts'))).map((f) => readFileSync(f, 'utf8')).join('\n')
  const unused = Object.keys(ERROR_CODES).filter((c) => !text.includes(`'${c}'`))
  assert.deepEqual(unused.filter((c) => !NOT_YET_RAISED.has(c)), [], 'codes nobody raises')
  assert.deepEqual([...NOT_YET_RAISED].filter((c) => !unused.includes(c)), [], 'codes now raised: take them off NOT_YET_RAISED')
})

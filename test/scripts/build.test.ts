// `npm run build` under a server that runs from dist/: the tree is built beside it and swapped in, so
// dist/ is never missing or half-written, and files of removed sources do not survive.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const ROOT = new URL('../../../', import.meta.url).pathname

test('a rebuild never leaves dist/ without its entry points, and drops files of removed sources', async (t) => {
  const copy = mkdtempSync(join(tmpdir(), 'wams-build-'))
  t.after(() => rmSync(copy, { recursive: true, force: true }))
  for (const p of ['package.json', 'tsconfig.json', 'src', 'workers', 'admin', 'test', 'bench', 'scripts']) cpSync(join(ROOT, p), join(copy, p), { recursive: true })
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'))
  const build = (): Promise<number | null> =>
    new Promise((resolve) => spawn(process.execPath, [join(copy, 'scripts/build.mjs')], { cwd: copy, stdio: 'ignore' }).once('exit', resolve))
  assert.equal(await build(), 0)
  const entries = ['dist/src/main.js', 'dist/workers/whatsapp/entry.js', 'dist/admin/main.js'].map((p) => join(copy, p))
  for (const e of entries) assert.ok(existsSync(e), e)
  writeFileSync(join(copy, 'dist/src/removed-source.js'), 'export {}\n')
  // watch the entry points the whole time the second build runs
  let missing: string | undefined
  let checks = 0
  const watch = setInterval(() => {
    checks++
    for (const e of entries) if (!existsSync(e)) missing ??= e
  }, 1)
  const code = await build()
  clearInterval(watch)
  assert.equal(code, 0)
  assert.equal(missing, undefined, `${missing} was missing during the build`)
  assert.ok(checks > 10)
  assert.ok(!existsSync(join(copy, 'dist/src/removed-source.js')))
  assert.deepEqual(readdirSync(copy).filter((n) => n.startsWith('dist.')), [])
})

// `npm run build`: compiles into a folder beside dist/ and swaps it in, so a server running from dist/
// (and the worker threads it starts from there) never sees a half-deleted or half-written tree, and no
// file of a source that was removed survives in dist/. Plain JavaScript: it runs before anything is built.
import { spawnSync } from 'node:child_process'
import { renameSync, rmSync, existsSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const dist = join(root, 'dist')
const next = join(root, `dist.next-${process.pid}`)
const old = join(root, `dist.old-${process.pid}`)
// the package's own launcher, as npm scripts run it (TypeScript 7 ships a native compiler behind it)
const tsc = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'tsc.cmd' : 'tsc')

function compile(project, outDir) {
  const r = spawnSync(tsc, ['-p', join(root, project), '--outDir', outDir], { stdio: 'inherit' })
  if (r.status !== 0) {
    rmSync(next, { recursive: true, force: true })
    process.exit(r.status ?? 1)
  }
}

rmSync(next, { recursive: true, force: true })
compile('tsconfig.json', next)
compile('admin/tsconfig.json', join(next, 'admin'))
// two renames: the moment between them is all a concurrent reader can see of the swap
if (existsSync(dist)) renameSync(dist, old)
renameSync(next, dist)
rmSync(old, { recursive: true, force: true })

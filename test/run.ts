/**
 * `npm test` entry: runs every compiled `*.test.js` under dist/test with Node's test runner.
 *
 *   node dist/test/run.js [filter ...]     run only files whose path contains one of the filters
 *
 * The emulator's media certificate must be trusted before a process starts (Node reads
 * NODE_EXTRA_CA_CERTS once), so it is set here for every test process.
 */
import { spawn } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join, relative, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { cpus } from 'node:os'
import { ensurePrerequisites } from './prerequisites.js'

const here = dirname(fileURLToPath(import.meta.url))
const repoRoot = join(here, '..', '..')

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    return statSync(p).isDirectory() ? walk(p) : [p]
  })
}

const filters = process.argv.slice(2).filter((a) => !a.startsWith('--'))
const files = walk(here)
  .filter((f) => f.endsWith('.test.js'))
  .filter((f) => filters.length === 0 || filters.some((x) => relative(here, f).includes(x)))
  .sort()

if (files.length === 0) {
  console.error(`no test files match ${JSON.stringify(filters)}`)
  process.exit(1)
}

const missing = ensurePrerequisites(files.map((f) => relative(here, f)))
if (missing) {
  console.error(missing)
  process.exit(1)
}

const concurrency = Number(process.env.TEST_CONCURRENCY || Math.max(1, Math.min(2, cpus().length)))
const child = spawn(
  process.execPath,
  ['--test', '--test-force-exit', `--test-concurrency=${concurrency}`, '--test-timeout=300000', '--test-reporter=spec', ...files],
  {
    stdio: 'inherit',
    cwd: repoRoot,
    env: {
      ...process.env,
      NODE_EXTRA_CA_CERTS: join(repoRoot, 'test', 'fixtures', 'emulator-tls', 'cert.pem'),
      NODE_ENV: 'test',
    },
  },
)
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))

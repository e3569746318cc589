// The Docker image's steps, run outside Docker: the production tree holds what runs and nothing of the
// tests, benchmarks, emulator or scripts, and it starts; .dockerignore keeps data, test output and secrets
// out of the build context at any depth.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { createInterface } from 'node:readline'

const ROOT = new URL('../../../', import.meta.url).pathname

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n)
    return statSync(p).isDirectory() ? walk(p) : [p]
  })
}

test('the production tree has the server and no test, bench, emulator or script code, and it starts', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'wams-image-'))
  let child: ChildProcess | undefined
  // the tree goes only once the server writing its data folder has exited: removed while it runs, the
  // removal races the server's own writes (ENOTEMPTY)
  t.after(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit')
      child.kill('SIGKILL')
      await exited
    }
    rmSync(out, { recursive: true, force: true })
  })
  const r = spawnSync('bash', [join(ROOT, 'scripts/docker/assemble.sh'), out], { encoding: 'utf8', timeout: 240_000 })
  assert.equal(r.status, 0, r.stderr)
  const files = walk(join(out, 'dist')).map((f) => relative(out, f))
  assert.ok(files.includes('dist/src/main.js'))
  assert.ok(files.includes('dist/admin/main.js'))
  assert.ok(existsSync(join(out, 'admin/static/index.html')))
  const forbidden = files.filter((f) => /^dist\/(test|bench|scripts)\/|emulator|conformance|\.test\.js$|\/fixtures\//.test(f))
  assert.deepEqual(forbidden, [])
  // no package the lockfile marks dev-only survives the prune
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> }
  const devLeft = Object.entries(lock.packages).filter(([p, v]) => p && v.dev && existsSync(join(out, p)))
  assert.deepEqual(devLeft.map(([p]) => p), [])
  assert.ok(!existsSync(join(out, 'node_modules/playwright-core')))
  // and what is left is enough to run the server
  const server = spawn(process.execPath, [join(out, 'dist/src/main.js')], { cwd: out, env: { PATH: process.env.PATH ?? '', PORT: '0', DATA_DIR: join(out, 'data'), NODE_ENV: 'production' }, stdio: ['ignore', 'pipe', 'pipe'] })
  child = server
  let stderr = ''
  server.stderr.on('data', (b: Buffer) => (stderr += b))
  const port = await new Promise<number>((resolve, reject) => {
    server.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)))
    createInterface({ input: server.stdout }).on('line', (line) => {
      const l = JSON.parse(line) as { port?: number; uws?: string }
      if (typeof l.port === 'number' && l.uws) resolve(l.port)
    })
  })
  assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200)
  assert.equal((await fetch(`http://127.0.0.1:${port}/admin`)).status, 200)
})

// .dockerignore's patterns as Docker reads them: `**` any depth, `*` within a name; a match on a folder
// excludes what is inside it
function ignored(patterns: string[], path: string): boolean {
  const toRe = (p: string): RegExp => {
    const body = p.split(/(\*\*\/|\*\*|\*|\?)/).map((tok) => ({ '**/': '(?:.*/)?', '**': '.*', '*': '[^/]*', '?': '[^/]' })[tok] ?? tok.replace(/[.+^${}()|[\]\\]/g, '\\$&')).join('')
    return new RegExp(`^${body}$`)
  }
  const res = patterns.map(toRe)
  const parts = path.split('/')
  return parts.some((_, i) => res.some((re) => re.test(parts.slice(0, i + 1).join('/'))))
}

const IGNORE = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))

const CONTEXT: Array<[string, boolean]> = [
  ['.env', true], ['.env.local', true], ['deploy/.env', true], ['a/b/.env.production', true],
  ['data/store.sqlite', true], ['sub/data/x.json', true], ['data-demo/session/creds', true],
  ['test-output/screenshots/link.png', true], ['test/test-output/x', true],
  ['node_modules/zod/index.js', true], ['admin/node_modules/x', true], ['dist/src/main.js', true], ['dist.next-12/src/main.js', true],
  ['wa.sqlite-wal', true], ['deep/down/store.sqlite', true], ['bench/out/r.json', true], ['server.log', true], ['.git/HEAD', true],
  ['src/main.ts', false], ['package.json', false], ['package-lock.json', false], ['test/emulator/emulator.ts', false],
  ['admin/static/index.html', false], ['scripts/docker/build.sh', false], ['src/store/schema.ts', false]
]

for (const [path, out] of CONTEXT) {
  test(`.dockerignore ${out ? 'keeps out' : 'lets in'} ${path}`, () => assert.equal(ignored(IGNORE, path), out))
}

test('both image stages are Node 24 on Debian 13 and build through the script', () => {
  const df = readFileSync(join(ROOT, 'Dockerfile'), 'utf8')
  const froms = [...df.matchAll(/^FROM (\S+)/gm)].map((m) => m[1])
  assert.deepEqual(froms, ['node:24-trixie-slim', 'node:24-trixie-slim'])
  assert.match(df, /RUN bash scripts\/docker\/build\.sh \/app/)
  assert.match(df, /COPY --from=build --chown=node:node \/app \.\//)
})

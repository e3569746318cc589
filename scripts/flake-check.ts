// Runs a test group many times in a row and reports how often it passed: `npm run flake-check [-- N group]`.
// Default: the emulator suite, 20 times. A flaky emulator makes every other test lie, so this must say 20/20.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const runs = Number(process.argv[2] ?? 20)
const group = process.argv[3] ?? 'emulator/'
const runner = fileURLToPath(new URL('../test/run.js', import.meta.url))
let passed = 0
const t0 = Date.now()
for (let i = 1; i <= runs; i++) {
  const r = spawnSync(process.execPath, [runner, group], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' })
  const ok = r.status === 0
  if (ok) passed++
  const summary = /ℹ tests (\d+)[\s\S]*?ℹ pass (\d+)[\s\S]*?ℹ fail (\d+)/.exec(r.stdout)
  console.log(`run ${i}/${runs}: ${ok ? 'pass' : 'FAIL'}${summary ? ` (${summary[2]}/${summary[1]} tests)` : ''}`)
  if (!ok) console.log(r.stdout.split('\n').filter((l) => l.startsWith('✖') || l.includes('Error')).slice(0, 10).join('\n'))
}
console.log(`flake check: ${passed}/${runs} runs of "${group}" passed in ${Math.round((Date.now() - t0) / 1000)} s`)
process.exit(passed === runs ? 0 : 1)

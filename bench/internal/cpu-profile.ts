// Summarise the .cpuprofile files node --cpu-prof wrote (one per thread): busy share and top self-time functions.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

interface Node {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
}

export function printProfiles(dir: string, top = 12): void {
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.cpuprofile'))) {
    const p = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { nodes: Node[]; samples: number[] }
    const total = p.samples.length
    const byFn = new Map<string, number>()
    for (const n of p.nodes) {
      const where = n.callFrame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/dist\//, '') || '(native)'
      const key = `${n.callFrame.functionName || '(anonymous)'}  ${where}:${n.callFrame.lineNumber + 1}`
      byFn.set(key, (byFn.get(key) ?? 0) + (n.hitCount ?? 0))
    }
    const idle = byFn.get('(idle)  (native):0') ?? 0
    const busy = total - idle
    console.log(`\n${f}: ${total} samples, busy ${((busy / total) * 100).toFixed(0)}%`)
    for (const [k, v] of [...byFn].filter(([k]) => !k.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${((v / Math.max(1, busy)) * 100).toFixed(1).padStart(5)}%  ${k}`)
  }
}

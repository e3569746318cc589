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

export type Owner = 'ours' | 'baileys' | 'libraries' | 'node' | 'gc' | 'idle'

/** who a frame belongs to, from its script URL */
function ownerOf(url: string, fn: string): Owner | undefined {
  if (fn === '(garbage collector)') return 'gc'
  if (fn === '(idle)' || fn === 'atomicsWaitLoop') return 'idle'
  // the SQLite binding works for whoever called it (our auth store, say): its frames are looked through
  if (url.includes('/node_modules/better-sqlite3/')) return undefined
  if (url.includes('/node_modules/@whiskeysockets/baileys/')) return 'baileys'
  if (url.includes('/node_modules/')) return 'libraries'
  if (url.includes('/dist/src/') || url.includes('/dist/workers/')) return 'ours'
  return undefined
}

/**
 * Samples of one profile by owner: each sample goes to the nearest frame on its stack that belongs to the
 * project, Baileys or another library, so Node's own code (Buffer, streams) and the SQLite binding count
 * for whoever called them.
 */
export function samplesByOwner(file: string, ourFrames?: Map<string, number>): Record<Owner, number> {
  const p = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Array<Node & { children?: number[] }>; samples: number[] }
  const byId = new Map(p.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const memo = new Map<number, [Owner, string]>()
  const resolve = (id: number): [Owner, string] => {
    const hit = memo.get(id)
    if (hit) return hit
    let cur: number | undefined = id
    let owner: [Owner, string] = ['node', '']
    while (cur !== undefined) {
      const n = byId.get(cur)!
      const o = ownerOf(n.callFrame.url, n.callFrame.functionName)
      if (o) {
        owner = [o, `${n.callFrame.functionName || '(anonymous)'}  ${n.callFrame.url.replace(/^file:\/\/.*\/dist\//, '')}:${n.callFrame.lineNumber + 1}`]
        break
      }
      cur = parent.get(cur)
    }
    memo.set(id, owner)
    return owner
  }
  const out: Record<Owner, number> = { ours: 0, baileys: 0, libraries: 0, node: 0, gc: 0, idle: 0 }
  for (const s of p.samples) {
    const [o, frame] = resolve(s)
    out[o]++
    if (o === 'ours' && ourFrames) ourFrames.set(frame, (ourFrames.get(frame) ?? 0) + 1)
  }
  return out
}

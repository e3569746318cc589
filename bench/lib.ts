// Shared bench plumbing: child processes, the load generator, MCP sessions over raw HTTP, medians.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { cpus } from 'node:os'

export const QUICK = process.env.BENCH_QUICK === '1'
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 1 : 3))
export const DURATION = Number(process.env.BENCH_DURATION ?? (QUICK ? 3 : 10))
export const WARMUP = QUICK ? 1 : 2
const HAS_TASKSET = spawnSync('taskset', ['-c', '0', 'true']).status === 0 && cpus().length > 1

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2) : 0
}

/** a child node process that prints {"port": n} when it listens; pinned to core 0 when possible */
export async function startChild(script: string, env: Record<string, string> = {}): Promise<{ port: number; child: ChildProcess; stop(): Promise<void> }> {
  const args = HAS_TASKSET ? ['-c', '0', process.execPath, script] : [script]
  const child = spawn(HAS_TASKSET ? 'taskset' : process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (l) => {
      try {
        const j = JSON.parse(l) as { port?: number }
        if (typeof j.port === 'number') resolve(j.port)
      } catch {
        // not ours
      }
    })
    child.once('exit', (c) => reject(new Error(`${script} exited with ${c}`)))
  })
  return { port, child, stop: () => new Promise((r) => (child.exitCode !== null ? r() : (child.once('exit', () => r()), child.kill('SIGTERM')))) }
}

export interface LoadResult {
  rps: number
  /** requests answered in the measured run, and in the warm-up before it */
  total?: number
  warmupTotal?: number
  p50: number
  p99: number
  non2xx: number
  errors: number
}

/** one autocannon run in its own process, on core 1 when possible; `unique` makes every [<id>] in the body a number of its own */
export function load(url: string, body: unknown, headers: Record<string, string>, connections: number, duration = DURATION, warmup = WARMUP, unique = false): Promise<LoadResult> {
  const spec = JSON.stringify({ url, connections, duration, warmup, unique, body: JSON.stringify(body), headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } })
  const script = new URL('./load.js', import.meta.url).pathname
  const child = spawn(HAS_TASKSET ? 'taskset' : process.execPath, HAS_TASKSET ? ['-c', '1', process.execPath, script, spec] : [script, spec], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()))
  return new Promise((resolve, reject) => child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!) as LoadResult) : reject(new Error(`load exited ${code}`)))))
}

export async function bestOf(rounds: number, run: () => Promise<LoadResult>): Promise<LoadResult> {
  const rs: LoadResult[] = []
  for (let i = 0; i < rounds; i++) rs.push(await run())
  return medianOf(rs)
}

/** the medians of some rounds of one point, their errors summed */
export function medianOf(rs: readonly LoadResult[]): LoadResult {
  return { rps: median(rs.map((r) => r.rps)), p50: median(rs.map((r) => r.p50)), p99: median(rs.map((r) => r.p99)), non2xx: rs.reduce((a, r) => a + r.non2xx, 0), errors: rs.reduce((a, r) => a + r.errors, 0) }
}

/** initialize + initialized over plain HTTP; returns the headers every later request carries */
export async function mcpSession(url: string, version = '2025-06-18'): Promise<Record<string, string>> {
  const h = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }
  const r = await fetch(url, { method: 'POST', headers: h, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: version, capabilities: {}, clientInfo: { name: 'bench', version: '1' } } }) })
  const sid = r.headers.get('mcp-session-id')
  await r.text()
  if (!sid) throw new Error(`no session from ${url}`)
  const s = { 'mcp-session-id': sid, 'mcp-protocol-version': version }
  await (await fetch(url, { method: 'POST', headers: { ...h, ...s }, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) })).text()
  return s
}

export const toolCall = (name: string, args: Record<string, unknown> = {}) => ({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } })

export async function status(base: string, reset = false, gc = false): Promise<Record<string, any>> {
  const q = [reset ? 'reset=1' : '', gc ? 'gc=1' : ''].filter(Boolean).join('&')
  return (await (await fetch(`${base}/api/status${q ? `?${q}` : ''}`)).json()) as Record<string, any>
}

export const fmt = (n: number, digits = 0): string => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a')

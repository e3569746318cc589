// The load generator, in its own process (pinned to another core where taskset exists): autocannon with
// a fixed request, JSON result on stdout. Run by bench/lib.ts, never imported by the server.
import autocannon from 'autocannon'

const spec = JSON.parse(process.argv[2]!) as { url: string; connections: number; duration: number; warmup: number; body: string; headers: Record<string, string> }

async function once(duration: number) {
  return autocannon({ url: spec.url, method: 'POST', connections: spec.connections, duration, body: spec.body, headers: spec.headers, pipelining: 1 })
}

if (spec.warmup > 0) await once(spec.warmup)
const r = await once(spec.duration)
process.stdout.write(`${JSON.stringify({ rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts, total: r.requests.total })}\n`)

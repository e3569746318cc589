// The load generator, in its own process (pinned to another core where taskset exists): autocannon with
// a fixed request (with `unique`, every [<id>] in the body is a number of its own per request), JSON result
// on stdout. Run by bench/lib.ts, never imported by the server.
import autocannon from 'autocannon'

const spec = JSON.parse(process.argv[2]!) as { url: string; connections: number; duration: number; warmup: number; body: string; headers: Record<string, string>; unique?: boolean }

// autocannon's own idReplacement sends a Content-Length that does not fit its ids, so the body is made here
let n = 0
const unique = spec.unique ? [{ method: 'POST', setupRequest: (req: Record<string, unknown>) => ({ ...req, body: spec.body.replaceAll('[<id>]', String(++n)) }) }] : undefined

async function once(duration: number) {
  return autocannon({ url: spec.url, method: 'POST', connections: spec.connections, duration, body: spec.body, headers: spec.headers, pipelining: 1, ...(unique ? { requests: unique } : {}) })
}

const warm = spec.warmup > 0 ? await once(spec.warmup) : undefined
const r = await once(spec.duration)
process.stdout.write(`${JSON.stringify({ rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts, total: r.requests.total, warmupTotal: warm?.requests.total ?? 0 })}\n`)

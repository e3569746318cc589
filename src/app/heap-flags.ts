// V8 settings for a request-serving process, set before anything else is loaded (imported first by main.ts).
// Allocation-site pretenuring off: after a stretch of SSE replies and an idle spell, V8 had marked allocation
// sites shared by every reply as long-lived and allocated their objects straight into the old generation.
// Each scavenge then grew the old generation by about a megabyte, a mark-compact followed every few hundred
// milliseconds, and ping at c = 64 had its p99.9 at 9-11 ms instead of 6-8 (bench/README.md). V8 flags are
// per process, so the worker threads run without it too: their batches are short-lived as well, and ingest
// measured no worse (55-59k messages/s against 40-56k before).
import { setFlagsFromString } from 'node:v8'

setFlagsFromString('--no-allocation-site-pretenuring')

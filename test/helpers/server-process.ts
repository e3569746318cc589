// Runs the real server (the built dist/src/main.js) in a child process, pointed at an emulator.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { Emulator } from '../emulator/emulator.js'

const MAIN = new URL('../../src/main.js', import.meta.url)
const CA = new URL('../../../test/fixtures/emulator-tls/cert.pem', import.meta.url)

export interface ServerProcess {
  child: ChildProcess
  port: number
  url: string
  dataDir: string
  logs: Array<Record<string, unknown>>
  /** every line the process wrote to stdout and stderr, as written */
  lines: string[]
  env: Record<string, string>
  mcp(opts?: { token?: string }): Promise<Client>
  waitLog(match: (l: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>
  stop(): Promise<void>
}

// data folders made here are removed when the process that made them exits (a test may restart a server on
// the same folder after stopping it, so not at stop)
const madeDirs: string[] = []
// and a server never outlives the process that started it, even when that process fails
const liveChildren = new Set<ChildProcess>()
process.once('exit', () => {
  for (const c of liveChildren) c.kill('SIGKILL')
  for (const d of madeDirs) rmSync(d, { recursive: true, force: true })
})
const tempDataDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'wams-'))
  madeDirs.push(d)
  return d
}

export async function startServerProcess(emu: Emulator | undefined, env: Record<string, string> = {}, dataDir = tempDataDir(), nodeArgs: string[] = []): Promise<ServerProcess> {
  const fullEnv: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    NODE_EXTRA_CA_CERTS: CA.pathname,
    PORT: '0',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    BAILEYS_LOG_LEVEL: process.env.BAILEYS_LOG_LEVEL ?? 'warn',
    // tests run many servers side by side, one pool thread each; a production run (the bench) keeps the default
    ...(env.NODE_ENV === 'production' ? {} : { POOL_THREADS: '1' }),
    ...(emu ? { WA_WS_URL: emu.url, WA_TRUST_ROOT_KEY: emu.rootPublicKeyBase64 } : {}),
    // tests and benches send in bursts no account should: pacing is on in production, and off here unless a
    // test turns it on (test/pacing/*)
    PACING_ENABLED: 'false',
    ...env
  }
  const child = spawn(process.execPath, [...nodeArgs, MAIN.pathname], { env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] })
  liveChildren.add(child)
  child.once('exit', () => liveChildren.delete(child))
  const logs: Array<Record<string, unknown>> = []
  const lines: string[] = []
  const waiters = new Set<{ match: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }>()
  const onLine = (line: string): void => {
    lines.push(line)
    let l: Record<string, unknown>
    try {
      l = JSON.parse(line) as Record<string, unknown>
    } catch {
      l = { msg: line }
    }
    logs.push(l)
    if (process.env.SERVER_LOG) process.stderr.write(`[server] ${line}\n`)
    for (const w of waiters) if (w.match(l)) w.resolve(l)
  }
  createInterface({ input: child.stdout! }).on('line', onLine)
  createInterface({ input: child.stderr! }).on('line', onLine)
  const sp: ServerProcess = {
    child,
    port: 0,
    url: '',
    dataDir,
    logs,
    lines,
    env: fullEnv,
    waitLog(match, timeoutMs = 30_000) {
      const seen = logs.find(match)
      if (seen) return Promise.resolve(seen)
      return new Promise((resolve, reject) => {
        const w = {
          match,
          resolve: (l: Record<string, unknown>) => {
            clearTimeout(t)
            waiters.delete(w)
            resolve(l)
          }
        }
        const t = setTimeout(() => {
          waiters.delete(w)
          reject(new Error(`server log line not seen in ${timeoutMs} ms; last lines:\n${logs.slice(-15).map((x) => JSON.stringify(x)).join('\n')}`))
        }, timeoutMs)
        waiters.add(w)
      })
    },
    async mcp(opts = {}) {
      const client = new Client({ name: 'test-client', version: '1.0.0' })
      const transport = new StreamableHTTPClientTransport(new URL(`${sp.url}/mcp`), opts.token ? { requestInit: { headers: { authorization: `Bearer ${opts.token}` } } } : undefined)
      await client.connect(transport)
      return client
    },
    async stop() {
      if (child.exitCode !== null) return
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      const t = setTimeout(() => child.kill('SIGKILL'), 8000)
      await exited
      clearTimeout(t)
    }
  }
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`server exited with ${code}; logs:\n${logs.slice(-20).map((x) => JSON.stringify(x)).join('\n')}`))))
  exited.catch(() => undefined)
  const listening = await Promise.race([sp.waitLog((l) => typeof l.port === 'number' && typeof l.uws === 'string'), exited])
  sp.port = listening.port as number
  sp.url = `http://127.0.0.1:${sp.port}`
  return sp
}

/** a tool call's structured result, or its error object when isError */
export async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<{ ok: boolean; data: Record<string, unknown>; raw: Awaited<ReturnType<Client['callTool']>> }> {
  const raw = await client.callTool({ name, arguments: args })
  if (raw.isError) {
    const structured = (raw.structuredContent as { error?: Record<string, unknown> } | undefined)?.error
    if (structured) return { ok: false, data: structured, raw }
    // "CODE: message" and the error object as JSON on the next line
    const text = (raw.content as Array<{ type: string; text?: string }>)[0]?.text ?? ''
    let data: Record<string, unknown>
    try {
      data = (JSON.parse(text.slice(text.indexOf('\n') + 1)) as { error: Record<string, unknown> }).error ?? { message: text }
    } catch {
      data = { message: text }
    }
    return { ok: false, data, raw }
  }
  return { ok: true, data: raw.structuredContent as Record<string, unknown>, raw }
}

export async function until<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20_000, what = 'condition', everyMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs
  let last: unknown
  while (Date.now() < end) {
    try {
      const v = await fn()
      if (v) return v
    } catch (err) {
      last = err
    }
    await new Promise((r) => setTimeout(r, everyMs))
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`)
}

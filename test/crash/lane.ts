// One linked account's server on one data folder, across the kills of a crash run: start, SIGKILL, start
// again on the same folder, and every line each of its processes printed (for the decrypt failures).
import type { Emulator } from '../emulator/emulator.js'
import { startServerProcess, until, type ServerProcess } from '../helpers/server-process.js'
import { linkViaMcp } from '../helpers/link.js'

/** how long a restarted server may take to be connected to WhatsApp again */
const READY_MS = 60_000

export class Lane {
  server: ServerProcess | undefined
  /** the lines of every process this lane ran, in order */
  readonly logs: Array<Record<string, unknown>> = []
  private dataDir: string | undefined
  kills = 0

  constructor(private readonly emu: Emulator, readonly phone: string, private readonly env: Record<string, string> = {}) {}

  get dir(): string {
    if (!this.dataDir) throw new Error('the lane has not started')
    return this.dataDir
  }

  get alive(): boolean {
    return !!this.server && this.server.child.exitCode === null && this.server.child.signalCode === null
  }

  /** a server on the lane's folder (a new one the first time, linked by scanning its QR); resolves once it is up */
  async start(): Promise<ServerProcess> {
    const first = !this.dataDir
    const server = await startServerProcess(this.emu, this.env, this.dataDir)
    this.adopt(server)
    if (first) {
      const client = await server.mcp()
      try {
        await linkViaMcp(client, this.emu, this.phone)
      } finally {
        await client.close().catch(() => undefined)
      }
    }
    return server
  }

  /** starts the process and links it without waiting for "ready": a kill may land during the link itself */
  async startLinking(): Promise<{ linked: Promise<void> }> {
    const server = await startServerProcess(this.emu, this.env, this.dataDir)
    this.adopt(server)
    const linked = (async () => {
      const client = await server.mcp()
      try {
        await linkViaMcp(client, this.emu, this.phone)
      } finally {
        await client.close().catch(() => undefined)
      }
    })()
    linked.catch(() => undefined)
    return { linked }
  }

  private adopt(server: ServerProcess): void {
    this.server = server
    this.dataDir = server.dataDir
    // the process's own array fills as it prints; this one keeps every process's lines
    const own = server.logs
    const push = own.push.bind(own)
    own.push = (...items) => {
      this.logs.push(...items)
      return push(...items)
    }
    this.logs.push(...own)
  }

  async ready(timeoutMs = READY_MS): Promise<void> {
    const url = this.server!.url
    await until(async () => ((await (await fetch(`${url}/api/status`)).json()) as { whatsapp: { ready: boolean } }).whatsapp.ready, timeoutMs, `${this.phone} ready`, 50)
  }

  /** kill -9; resolves once the process is gone */
  async kill(): Promise<void> {
    const child = this.server?.child
    if (!child || child.exitCode !== null || child.signalCode !== null) return
    const gone = new Promise((r) => child.once('exit', r))
    child.kill('SIGKILL')
    this.kills++
    await gone
  }

  /** kill -9 now, without waiting (for a kill from inside an event handler) */
  killNow(): void {
    const child = this.server?.child
    if (!child || child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGKILL')
    this.kills++
  }

  async exited(): Promise<void> {
    const child = this.server?.child
    if (!child || child.exitCode !== null || child.signalCode !== null) return
    await new Promise((r) => child.once('exit', r))
  }

  /** a server on the same folder again, connected */
  async restart(): Promise<void> {
    await this.kill()
    await this.start()
    await this.ready()
  }

  async stop(): Promise<void> {
    await this.server?.stop()
  }
}

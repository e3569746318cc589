// A bare Baileys client linked to the emulator: what the emulator's own tests drive.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import makeWASocket, { useMultiFileAuthState, WA_CERT_DETAILS, Browsers, type WASocket, type BaileysEventMap, type UserFacingSocketConfig } from '@whiskeysockets/baileys'
import type { Emulator } from '../emulator/emulator.js'

export interface LinkedClient {
  sock: WASocket
  dir: string
  events: Array<{ name: keyof BaileysEventMap; data: unknown }>
  connect(): Promise<WASocket>
  waitFor<K extends keyof BaileysEventMap>(name: K, match?: (d: BaileysEventMap[K]) => boolean, timeoutMs?: number): Promise<BaileysEventMap[K]>
  end(): void
}

/** Baileys trusts the emulator's root instead of WhatsApp's: the one change the tests make to it */
export function trustEmulator(emu: Emulator): void {
  WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(emu.rootKey.public)
}

export async function linkClient(emu: Emulator, phone: string, extra: Partial<UserFacingSocketConfig> = {}, dir = mkdtempSync(join(tmpdir(), 'wa-auth-'))): Promise<LinkedClient> {
  trustEmulator(emu)
  const { state, saveCreds } = await useMultiFileAuthState(dir)
  const events: LinkedClient['events'] = []
  const waiters = new Set<{ name: string; match: (d: unknown) => boolean; resolve: (d: unknown) => void }>()
  let opened: (() => void) | undefined
  let failed: ((e: unknown) => void) | undefined
  const c = {
    dir,
    events,
    end() {
      c.sock?.end(undefined)
    },
    waitFor(name: string, match: (d: unknown) => boolean = () => true, timeoutMs = 15_000) {
      const seen = events.find((e) => e.name === name && match(e.data))
      if (seen) return Promise.resolve(seen.data as never)
      return new Promise((resolve, reject) => {
        const w = { name, match, resolve: (d: unknown) => (clearTimeout(t), waiters.delete(w), (resolve as (x: unknown) => void)(d)) }
        const t = setTimeout(() => (waiters.delete(w), reject(new Error(`no ${name} in ${timeoutMs} ms`))), timeoutMs)
        waiters.add(w)
      })
    },
    connect(): Promise<WASocket> {
      return new Promise<WASocket>((resolve, reject) => {
        opened = () => resolve(c.sock)
        failed = reject
        start()
      })
    }
  } as LinkedClient
  const start = (): void => {
    const sock = makeWASocket({
      auth: state,
      waWebSocketUrl: emu.url,
      logger: pino({ level: process.env.BAILEYS_LOG_LEVEL ?? 'silent' }),
      browser: Browsers.ubuntu('Chrome'),
      markOnlineOnConnect: false,
      ...extra
    })
    c.sock = sock
    sock.ev.on('creds.update', saveCreds)
    sock.ev.process((evs) => {
      for (const [name, data] of Object.entries(evs)) {
        events.push({ name: name as keyof BaileysEventMap, data })
        for (const w of waiters) if (w.name === name && w.match(data)) w.resolve(data)
      }
      const u = evs['connection.update']
      if (!u) return
      if (u.qr) emu.scanQr(u.qr, { phone }).catch((e) => failed?.(e))
      if (u.connection === 'open') opened?.()
      if (u.connection === 'close') {
        const code = (u.lastDisconnect?.error as { output?: { statusCode?: number } } | undefined)?.output?.statusCode
        if (code === 515) start()
        else failed?.(u.lastDisconnect?.error ?? new Error(`closed ${code}`))
      }
    })
  }
  await c.connect()
  return c
}

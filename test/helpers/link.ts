// Links a running server to the emulator the way a person does: read the QR image, scan it with the phone.
import jsQRModule from 'jsqr'
import { PNG } from 'pngjs'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import type { Emulator } from '../emulator/emulator.js'
import { call, startServerProcess, until, type ServerProcess } from './server-process.js'

// jsqr is CommonJS with a default export that TypeScript sees one level too deep
const jsQR = ((jsQRModule as unknown as { default?: typeof jsQRModule }).default ?? jsQRModule) as unknown as (data: Uint8ClampedArray, w: number, h: number) => { data: string } | null

export function decodeQrPng(base64: string): string {
  const png = PNG.sync.read(Buffer.from(base64, 'base64'))
  const code = jsQR(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.byteLength), png.width, png.height)
  if (!code) throw new Error('no QR code in the image')
  return code.data
}

export async function linkViaMcp(client: Client, emu: Emulator, phone: string): Promise<void> {
  const qr = await until(async () => {
    const r = await call(client, 'get_qr_code')
    return r.ok ? r : undefined
  }, 30_000, 'a QR code')
  const image = (qr.raw.content as Array<{ type: string; data?: string }>).find((c) => c.type === 'image')
  if (!image?.data) throw new Error('get_qr_code returned no image')
  await emu.scanQr(decodeQrPng(image.data), { phone })
  await until(async () => (await call(client, 'check_auth_status')).data.ready, 30_000, 'ready after scanning')
}

export interface LinkedServer {
  server: ServerProcess
  client: Client
  /** the client, then the server */
  close(): Promise<void>
}

/** a server on the emulator, linked to `phone` through MCP as a person would, with its client */
export async function startLinkedServer(emu: Emulator, phone: string, env: Record<string, string> = {}): Promise<LinkedServer> {
  const server = await startServerProcess(emu, env)
  const client = await server.mcp()
  await linkViaMcp(client, emu, phone)
  return {
    server,
    client,
    async close() {
      await client.close()
      await server.stop()
    }
  }
}

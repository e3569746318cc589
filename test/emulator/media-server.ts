// The emulator's media host: HTTPS (Baileys hard-codes https:// for uploads and downloads), upload with the
// media_conn auth token, download with Range, expiry (for re-upload tests) and profile pictures.
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import { createHmac, createDecipheriv, randomBytes } from 'node:crypto'
import { readFile, rm } from 'node:fs/promises'
import { encryptedStream, getMediaKeys, type MediaType } from '@whiskeysockets/baileys'

export const MEDIA_AUTH = 'emu-auth'

export interface UploadedMedia {
  url: string
  directPath: string
  mediaKey: Uint8Array
  fileSha256: Uint8Array
  fileEncSha256: Uint8Array
  fileLength: number
  mediaKeyTimestamp: number
}

export interface MediaServer {
  hostPort: string
  cert: Buffer
  uploads: number
  put(blob: Buffer): { url: string; directPath: string }
  has(directPath: string): boolean
  expire(directPath: string, status?: 403 | 410): void
  restore(directPath: string): void
  setProfilePicture(user: string, jpeg: Buffer): string
  uploadMedia(data: Buffer, type: MediaType): Promise<UploadedMedia>
  readMedia(content: { directPath?: string | null; mediaKey?: Uint8Array | null }, type: MediaType): Promise<Buffer>
  close(): Promise<void>
}

const now = (): number => Math.floor(Date.now() / 1000)

export async function startMediaServer(host: string, tls: { key: Buffer; cert: Buffer }, onUpload?: (info: { type: string; size: number; directPath: string }) => void): Promise<MediaServer> {
  const blobs = new Map<string, Buffer>()
  const expired = new Map<string, Buffer>()
  const expiredStatus = new Map<string, number>()
  const pictures = new Map<string, Buffer>()
  let hostPort = ''
  const pathOf = (directPath: string): string => directPath.split('?')[0]!

  const put = (blob: Buffer): { url: string; directPath: string } => {
    const pathname = `/v/t62.7118-24/${randomBytes(12).toString('hex')}.enc`
    const directPath = `${pathname}?ccb=11-4&oh=emu&oe=${(now() + 86400 * 30).toString(16)}&_nc_sid=5e03e0`
    blobs.set(pathname, blob)
    return { url: `https://${hostPort}${directPath}&mms3=true`, directPath }
  }

  const server = https.createServer(tls, (req, res) => {
    const u = new URL(req.url ?? '/', 'https://emulator')
    if (req.method === 'POST' && (u.pathname.startsWith('/mms/') || u.pathname.startsWith('/product/'))) {
      if (u.searchParams.get('auth') !== MEDIA_AUTH) {
        res.writeHead(401).end('{}')
        return
      }
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const blob = Buffer.concat(chunks)
        const out = put(blob)
        api.uploads++
        onUpload?.({ type: u.pathname.split('/')[2] ?? '', size: blob.length, directPath: out.directPath })
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ url: out.url, direct_path: out.directPath }))
      })
      return
    }
    const pic = u.pathname.startsWith('/pp/') ? pictures.get(u.pathname) : undefined
    if (pic) {
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': pic.length })
      res.end(pic)
      return
    }
    const blob = blobs.get(u.pathname)
    if (req.method !== 'GET' || !blob) {
      res.writeHead(expiredStatus.get(u.pathname) ?? 404).end()
      return
    }
    const range = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? '')
    if (range) {
      const start = Number(range[1])
      const end = range[2] ? Math.min(Number(range[2]), blob.length - 1) : blob.length - 1
      res.writeHead(206, { 'content-range': `bytes ${start}-${end}/${blob.length}`, 'content-length': end - start + 1 })
      res.end(blob.subarray(start, end + 1))
      return
    }
    res.writeHead(200, { 'content-length': blob.length, 'content-type': 'application/octet-stream' })
    res.end(blob)
  })
  await new Promise<void>((r) => server.listen(0, host, r))
  hostPort = `${host}:${(server.address() as AddressInfo).port}`

  const api: MediaServer = {
    hostPort,
    cert: tls.cert,
    uploads: 0,
    put,
    has: (directPath) => blobs.has(pathOf(directPath)),
    expire(directPath, status = 410) {
      const p = pathOf(directPath)
      const blob = blobs.get(p)
      if (blob) {
        blobs.delete(p)
        expired.set(p, blob)
        expiredStatus.set(p, status)
      }
    },
    restore(directPath) {
      const p = pathOf(directPath)
      const blob = expired.get(p)
      if (blob) {
        expired.delete(p)
        expiredStatus.delete(p)
        blobs.set(p, blob)
      }
    },
    setProfilePicture(user, jpeg) {
      const p = `/pp/${user}-${randomBytes(4).toString('hex')}.jpg`
      pictures.set(p, jpeg)
      return `https://${hostPort}${p}`
    },
    async uploadMedia(data, type) {
      const r = await encryptedStream(data, type)
      const blob = await readFile(r.encFilePath)
      await rm(r.encFilePath, { force: true })
      const { url, directPath } = put(blob)
      return { url, directPath, mediaKey: r.mediaKey, fileSha256: r.fileSha256, fileEncSha256: r.fileEncSha256, fileLength: r.fileLength, mediaKeyTimestamp: now() }
    },
    async readMedia(content, type) {
      const blob = blobs.get(pathOf(content.directPath ?? ''))
      if (!blob || !content.mediaKey) throw new Error(`media not found ${content.directPath}`)
      const { iv, cipherKey, macKey } = await getMediaKeys(content.mediaKey, type)
      const enc = blob.subarray(0, -10)
      const mac = createHmac('sha256', macKey!).update(Buffer.concat([iv!, enc])).digest().subarray(0, 10)
      if (!mac.equals(blob.subarray(-10))) throw new Error('media mac mismatch')
      const d = createDecipheriv('aes-256-cbc', cipherKey!, iv!)
      return Buffer.concat([d.update(enc), d.final()])
    },
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()) })
  }
  return api
}

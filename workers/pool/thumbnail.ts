// Pool task: a small JPEG preview of an image (sharp), for the admin UI's message list.
import sharp from 'sharp'

export interface ThumbnailTask {
  input: Uint8Array
  width: number
}

export default async function thumbnail(t: ThumbnailTask): Promise<Uint8Array> {
  const out = await sharp(t.input, { failOn: 'none', limitInputPixels: 50_000_000 }).rotate().resize({ width: t.width, withoutEnlargement: true }).jpeg({ quality: 70 }).toBuffer()
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength)
}

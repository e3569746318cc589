// Pool task: a chat's ZIP (chat.json + optional media/) written to a file with yazl. Messages are read
// and serialized page by page, so memory stays flat whatever the chat's size.
import { createWriteStream, existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { once } from 'node:events'
import yazl from 'yazl'
import { openReader } from '../../src/store/open-db.js'
import { ChatsRepo } from '../../src/store/chats-repo.js'
import { mediaUrlPath, signQuery } from '../../src/media/media-link.js'

export interface ExportTask {
  dbPath: string
  chatJid: string
  includeMedia: boolean
  mediaDir: string
  outPath: string
  mediaBaseUrl: string
  /** when /media needs auth: the links in chat.json are signed with this key until linkExpires (unix s) */
  mediaLinkKey?: Uint8Array
  linkExpires?: number
}

export interface ExportResult {
  messages: number
  media: number
  bytes: number
}

const PAGE = 2000

export default async function exportZip(t: ExportTask): Promise<ExportResult> {
  const linkOf = (rel: string): string => `${t.mediaBaseUrl}${mediaUrlPath(rel)}${t.mediaLinkKey ? `?${signQuery(t.mediaLinkKey, rel, t.linkExpires!)}` : ''}`
  const db = openReader(t.dbPath)
  try {
    const chat = new ChatsRepo(db).get(t.chatJid) ?? null
    const stmt = db.prepare(`SELECT m.seq, m.id, m.from_me, m.sender_jid, coalesce(k.name, k.notify, m.push_name) AS sender_name, m.ts, m.type, m.body, m.media, m.quoted_id, m.status, m.edited_at, m.revoked
      FROM messages m LEFT JOIN contacts k ON k.jid = m.sender_jid WHERE m.chat_jid = ? AND m.seq > ? ORDER BY m.seq LIMIT ?`)
    const mediaFiles: Array<{ message_id: string; file: string; path: string; size: number }> = []
    const chatDir = join(t.mediaDir, t.chatJid.replace(/[^0-9a-z@.-]/gi, '_'))
    const onDisk = new Map<string, string>()
    if (t.includeMedia && existsSync(chatDir)) for (const f of readdirSync(chatDir)) onDisk.set(f.replace(/\.[^.]*$/, ''), f)
    // the media list comes first (ids only), so chat.json can name each file and the files follow it
    if (t.includeMedia && onDisk.size) {
      for (const { id } of db.prepare('SELECT id FROM messages WHERE chat_jid = ? AND media IS NOT NULL ORDER BY seq').iterate(t.chatJid) as Iterable<{ id: string }>) {
        const file = onDisk.get(id.replace(/[^0-9a-z]/gi, '_'))
        if (!file) continue
        const path = join(chatDir, file)
        mediaFiles.push({ message_id: `${t.chatJid}:${id}`, file: `media/${file}`, path, size: statSync(path).size })
      }
    }
    const inZip = new Map(mediaFiles.map((m) => [m.message_id, m.file]))
    let count = 0
    async function* json(): AsyncGenerator<string> {
      yield `{"chat":${JSON.stringify(chat)},"exported_at":${Date.now()},"messages":[`
      let after = 0
      for (;;) {
        const rows = stmt.all(t.chatJid, after, PAGE) as Array<Record<string, unknown>>
        if (!rows.length) break
        after = rows.at(-1)!.seq as number
        const parts: string[] = []
        for (const r of rows) {
          const id = r.id as string
          const file = inZip.get(`${t.chatJid}:${id}`)
          parts.push(JSON.stringify({
            message_id: `${t.chatJid}:${id}`,
            id,
            from_me: !!r.from_me,
            sender_jid: r.sender_jid,
            sender_name: r.from_me ? null : r.sender_name,
            timestamp: r.ts,
            type: r.type,
            body: r.revoked ? null : r.body,
            media: r.media ? JSON.parse(r.media as string) : null,
            quoted_id: r.quoted_id,
            edited: r.edited_at !== null,
            revoked: !!r.revoked,
            ...(file ? { media_file: file } : {})
          }))
        }
        yield (count ? ',' : '') + parts.join(',')
        count += rows.length
      }
      yield `],"media":${JSON.stringify(mediaFiles.map((m) => ({ message_id: m.message_id, file: m.file, size: m.size, url: linkOf(m.path.slice(t.mediaDir.length + 1)) })))}}`
    }
    const zip = new yazl.ZipFile()
    const out = createWriteStream(t.outPath)
    zip.outputStream.pipe(out)
    // chat.json is compressed; media is already compressed, so it is stored as is
    zip.addReadStream(Readable.from(json()), 'chat.json', { compress: true })
    const done = once(out, 'close')
    for (const m of mediaFiles) zip.addFile(m.path, m.file, { compress: false })
    zip.end()
    await done
    return { messages: count, media: mediaFiles.length, bytes: statSync(t.outPath).size }
  } finally {
    db.close()
  }
}

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { Pool } from '../../src/pool/pool.js'
import { WriteQueue } from '../../src/store/write-queue.js'
import { openWriter, openReader } from '../../src/store/open-db.js'
import { MessagesRepo } from '../../src/store/messages-repo.js'
import type { MessageRecord } from '../../src/store/batch.js'

const PN = '15550002222@s.whatsapp.net'
const msg = (id: string): MessageRecord => ({ chatJid: PN, id, fromMe: false, timestamp: Date.now(), type: 'text', body: id })

test('batches go through the pool in order; a batch that can never be written is set aside and the rest still land', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wq-'))
  const dbPath = join(dir, 'store.sqlite')
  openWriter(dbPath).close()
  const pool = new Pool(1)
  const q = new WriteQueue(pool, dbPath, pino({ level: 'silent' }), { deadLetterDir: join(dir, 'dead-letter') })
  q.push({ messages: [msg('A')] })
  // a message without a type violates the schema: this batch fails every time
  q.push({ messages: [{ ...msg('POISON'), type: undefined as unknown as 'text' }] })
  for (let i = 0; i < 50; i++) q.push({ messages: [msg(`B${i}`)] })
  await q.idle()
  await pool.close()
  const repo = new MessagesRepo(openReader(dbPath))
  const ids = repo.list({ chatJid: PN, limit: 100 }).messages.map((m) => m.id)
  assert.equal(ids.length, 51)
  assert.ok(!ids.includes('POISON'))
  const dead = readdirSync(join(dir, 'dead-letter'))
  assert.equal(dead.length, 1)
  assert.match(readFileSync(join(dir, 'dead-letter', dead[0]!), 'utf8'), /POISON/)
  assert.equal(q.deadLettered, 1)
})

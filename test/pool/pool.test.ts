import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Pool } from '../../src/pool/pool.js'
import { openWriter } from '../../src/store/open-db.js'

test('the pool runs tasks first in, first out: under steady load from many callers no task is overtaken', async () => {
  const dbPath = join(mkdtempSync(join(tmpdir(), 'pool-')), 'store.sqlite')
  openWriter(dbPath).close()
  const pool = new Pool(1)
  let submitted = 0
  let finished = 0
  let overtaken = 0
  // sixteen callers, each sending its next task as soon as the last one is answered
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let i = 0; i < 40; i++) {
        const ticket = submitted++
        await pool.run('searchMessages', { dbPath, query: `word${ticket}`, limit: 5 })
        // with one thread and a FIFO, every task submitted before this one has finished before it
        if (finished++ < ticket) overtaken++
      }
    })
  )
  assert.equal(overtaken, 0)
  assert.equal(pool.stats.queued, 0)
  await pool.close()
})

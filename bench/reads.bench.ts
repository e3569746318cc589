// The read tools on a store seeded to a realistic size: list_chats, list_messages (a page of 50),
// search_messages (FTS), get_message_by_id. 'cold' runs against a server with the answer cache off (every
// call reads SQLite); 'cached' repeats the same call against the default server, as a polling agent does,
// so the answers come from the cache between store writes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { bestOf, load, mcpSession, startChild, toolCall, ROUNDS, type LoadResult } from './lib.js'
import { RARE_WORD } from './seed-store.js'

export interface ReadFigures {
  rows: Array<{ tool: string; c: number; mode: 'cold' | 'cached'; r: LoadResult }>
  /** raw uWS answering with the very bytes of the list_messages reply, by c (cached mode only) */
  rawSameSize?: { bytes: number; byC: Record<number, LoadResult> }
}

export async function benchReads(serverUrl: string, sample: { chat: string; messageId: string }, mode: 'cold' | 'cached'): Promise<ReadFigures> {
  const url = `${serverUrl}/mcp`
  const session = await mcpSession(url)
  const cases: Array<[string, Record<string, unknown>, number[]]> = [
    ['list_chats', { limit: 20 }, mode === 'cold' ? [16, 64] : [16]],
    ['list_messages', { chat_id: sample.chat, limit: 50 }, [16, 64]],
    ['search_messages', { query: RARE_WORD, limit: 20 }, [16]],
    ...(mode === 'cold' ? [['search_messages', { query: 'invoice berlin', limit: 20 }, [16]] as [string, Record<string, unknown>, number[]]] : []),
    ['get_message_by_id', { message_id: `${sample.chat}:${sample.messageId}` }, [16]]
  ]
  const rows: ReadFigures['rows'] = []
  let rawSameSize: ReadFigures['rawSameSize']
  for (const [tool, args, cs] of cases) {
    // a broken call would be a fast error: check the answer once before timing it
    const probeText = await (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', ...session }, body: JSON.stringify(toolCall(tool, args)) })).text()
    const probe = JSON.parse(probeText) as { result?: { isError?: boolean } }
    if (tool === 'list_messages' && mode === 'cached') {
      const bytes = Buffer.byteLength(probeText)
      const file = join(mkdtempSync(join(tmpdir(), 'bench-body-')), 'reply.json')
      writeFileSync(file, probeText)
      const raw = await startChild(new URL('./baselines/raw-uws.js', import.meta.url).pathname, { RAW_BODY_FILE: file })
      try {
        const byC: Record<number, LoadResult> = {}
        for (const c of cs) byC[c] = await bestOf(ROUNDS, () => load(`http://127.0.0.1:${raw.port}/mcp`, toolCall('x'), {}, c))
        rawSameSize = { bytes, byC }
      } finally {
        await raw.stop()
        rmSync(dirname(file), { recursive: true, force: true })
      }
    }
    if (!probe.result || probe.result.isError) throw new Error(`${tool} failed: ${JSON.stringify(probe).slice(0, 300)}`)
    const label = tool !== 'search_messages' ? tool : args.query === RARE_WORD ? 'search_messages (a rare word)' : 'search_messages (two common words)'
    for (const c of cs) rows.push({ tool: label, c, mode, r: await bestOf(ROUNDS, () => load(url, toolCall(tool, args), session, c)) })
  }
  return { rows, rawSameSize }
}

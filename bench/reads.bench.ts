// The read tools on a store seeded to a realistic size: list_chats, list_messages (a page of 50),
// search_messages (FTS), get_message_by_id.
import { bestOf, load, mcpSession, toolCall, ROUNDS, type LoadResult } from './lib.js'
import { RARE_WORD } from './seed-store.js'

export interface ReadFigures {
  rows: Array<{ tool: string; c: number; r: LoadResult }>
}

export async function benchReads(serverUrl: string, sample: { chat: string; messageId: string }): Promise<ReadFigures> {
  const url = `${serverUrl}/mcp`
  const session = await mcpSession(url)
  const cases: Array<[string, Record<string, unknown>, number[]]> = [
    ['list_chats', { limit: 20 }, [16, 64]],
    ['list_messages', { chat_id: sample.chat, limit: 50 }, [16, 64]],
    ['search_messages', { query: RARE_WORD, limit: 20 }, [16]],
    ['search_messages', { query: 'invoice berlin', limit: 20 }, [16]],
    ['get_message_by_id', { message_id: `${sample.chat}:${sample.messageId}` }, [16]]
  ]
  const rows: ReadFigures['rows'] = []
  for (const [tool, args, cs] of cases) {
    // a broken call would be a fast error: check the answer once before timing it
    const probe = (await (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', ...session }, body: JSON.stringify(toolCall(tool, args)) })).json()) as { result?: { isError?: boolean } }
    if (!probe.result || probe.result.isError) throw new Error(`${tool} failed: ${JSON.stringify(probe).slice(0, 300)}`)
    const label = tool !== 'search_messages' ? tool : args.query === RARE_WORD ? 'search_messages (a rare word)' : 'search_messages (two common words)'
    for (const c of cs) rows.push({ tool: label, c, r: await bestOf(ROUNDS, () => load(url, toolCall(tool, args), session, c)) })
  }
  return { rows }
}

// send_message through the real Baileys to the emulator (Baileys' Signal work is the floor here).
import { bestOf, load, mcpSession, toolCall, type LoadResult } from './lib.js'

export async function benchSend(serverUrl: string, to: string): Promise<LoadResult> {
  const url = `${serverUrl}/mcp`
  const session = await mcpSession(url)
  return bestOf(1, () => load(url, toolCall('send_message', { recipient_jid: to, message: 'bench message' }), session, 16))
}

// send_message through the real Baileys to the emulator (Baileys' Signal work is the floor here). Every
// call sends a message of its own: identical concurrent sends would be joined into one by the send guard,
// and the figure would count joins instead of sends. The phone's inbox says how many arrived.
import type { Person } from '../test/emulator/person.js'
import { DURATION, WARMUP, load, mcpSession, toolCall, type LoadResult } from './lib.js'

export interface SendFigures extends LoadResult {
  /** send_message calls answered, warm-up included */
  sent: number
  /** messages the recipient's phone decrypted */
  arrived: number
}

export async function benchSend(serverUrl: string, to: Person): Promise<SendFigures> {
  const url = `${serverUrl}/mcp`
  const session = await mcpSession(url)
  const before = to.inbox.length
  const r = await load(url, toolCall('send_message', { recipient_jid: to.jid, message: 'bench message [<id>]' }), session, 16, DURATION, WARMUP, true)
  const sent = (r.total ?? 0) + (r.warmupTotal ?? 0)
  // the last sends are still on their way: wait until the inbox stops growing
  let seen = -1
  while (to.inbox.length !== seen) {
    seen = to.inbox.length
    await new Promise((resolve) => setTimeout(resolve, 2000))
  }
  return { ...r, sent, arrived: to.inbox.length - before }
}

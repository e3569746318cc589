// A /mcp body from bytes to JSON-RPC messages, for both eras: scanned before JSON.parse (nesting, values,
// batch length), parsed, then each message classified. Pure; every refusal is a ProtocolFault with a
// registry code, so the shell only writes it.
import { ProtocolFault } from './input.js'
import { BATCH_MAX } from './client-limits.js'
import { jsonBudgetExceeded } from './json-budget.js'
import { classify, type Classified, type Id } from './protocol.js'

/** the decoded body, or throws MCP_BATCH_TOO_LARGE, MCP_PARAMS_TOO_LARGE or MCP_PARSE_ERROR */
export function parseBody(raw: Buffer): unknown {
  const over = jsonBudgetExceeded(raw, BATCH_MAX)
  if (over?.what === 'batch') throw new ProtocolFault('MCP_BATCH_TOO_LARGE', `Invalid Request: a batch of more than ${BATCH_MAX} messages; at most ${BATCH_MAX}`, { limit: BATCH_MAX })
  if (over) throw new ProtocolFault('MCP_PARAMS_TOO_LARGE', over.what === 'depth' ? `Invalid Request: the body nests deeper than ${over.limit} levels` : `Invalid Request: the body holds more than ${over.limit} JSON values`, { limit: over.limit })
  try {
    return JSON.parse(raw.toString('utf8'))
  } catch {
    throw new ProtocolFault('MCP_PARSE_ERROR', 'Parse error: the body is not valid JSON')
  }
}

/** a decoded body as messages; a fault names the id of a single malformed message when it has a usable one */
export function messagesOf(parsed: unknown): { isBatch: boolean; msgs: Classified[] } | { fault: ProtocolFault; id: Id | null } {
  const isBatch = Array.isArray(parsed)
  // the scan counted commas; this counts what JSON.parse made of them
  if (isBatch && parsed.length > BATCH_MAX) return { fault: new ProtocolFault('MCP_BATCH_TOO_LARGE', `Invalid Request: a batch of ${parsed.length} messages; at most ${BATCH_MAX}`, { limit: BATCH_MAX }), id: null }
  const items: unknown[] = isBatch ? parsed : [parsed]
  const msgs = items.map(classify)
  if (items.length && msgs.every((m) => m)) return { isBatch, msgs: msgs as Classified[] }
  // the body may be null or a number
  const own = !isBatch && typeof parsed === 'object' && parsed !== null ? (parsed as { id?: unknown }).id : undefined
  const id = typeof own === 'string' || typeof own === 'number' ? own : null
  return { fault: new ProtocolFault('MCP_INVALID_REQUEST', 'Invalid Request: expected a JSON-RPC 2.0 message'), id }
}

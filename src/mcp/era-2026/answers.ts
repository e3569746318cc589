// What the 2026-07-28 revision's answers look like: server/discover's result, the members a result gains
// (resultType, cache hints), the HTTP status of a JSON-RPC error. Pure.
import { RESULT_BYTES, type RpcResponse } from '../protocol.js'
import { SERVER_INFO, type Dispatcher } from '../dispatcher.js'
import { ALL_VERSIONS, META } from './request-meta.js'
import { TASKS_EXTENSION } from './task-store.js'

/** how long a client may reuse a list result (the tool and prompt lists change only with a new build) */
const LIST_TTL_MS = 60_000
const CACHE_HINTS: Record<string, { ttlMs: number; cacheScope: 'private' | 'public' }> = {
  'server/discover': { ttlMs: LIST_TTL_MS, cacheScope: 'private' },
  'tools/list': { ttlMs: LIST_TTL_MS, cacheScope: 'private' },
  'prompts/list': { ttlMs: LIST_TTL_MS, cacheScope: 'private' },
  'resources/templates/list': { ttlMs: LIST_TTL_MS, cacheScope: 'private' },
  // resources show the account's live state
  'resources/list': { ttlMs: 0, cacheScope: 'private' },
  'resources/read': { ttlMs: 0, cacheScope: 'private' }
}

/** the HTTP status the revision gives a JSON-RPC error */
export function statusOf(r: RpcResponse): number {
  const code = r.error?.code
  if (code === undefined) return 200
  if (code === -32601) return 404
  if (code === -32603) return 500
  return 400
}

/** the result with the revision's own members (resultType, cache hints) laid in front, also for results already encoded */
const FIELDS = new Map<string, { fields: Record<string, unknown>; head: string }>()

export function complete(method: string, result: unknown): unknown {
  let f = FIELDS.get(method)
  if (!f) {
    const fields: Record<string, unknown> = { resultType: 'complete', ...CACHE_HINTS[method] }
    // the members as JSON text without the closing brace, made once per method
    FIELDS.set(method, (f = { fields, head: JSON.stringify(fields).slice(0, -1) }))
  }
  const { fields, head } = f
  const bytes = (result as { [RESULT_BYTES]?: string | Buffer } | null)?.[RESULT_BYTES]
  if (bytes === undefined) return { ...fields, ...(result as object) }
  const rest = typeof bytes === 'string' ? bytes.slice(1) : bytes.subarray(1)
  const empty = rest.length === 1
  return { [RESULT_BYTES]: typeof rest === 'string' ? `${head}${empty ? '' : ','}${rest}` : Buffer.concat([Buffer.from(`${head}${empty ? '' : ','}`), rest]) }
}

/** resources/read of an unknown uri: -32602 with the uri in data (SEP-2164), not the older -32002 */
export function sep2164(r: RpcResponse): RpcResponse {
  return r.error?.code === -32002 ? { ...r, error: { ...r.error, code: -32602 } } : r
}

/** server/discover's result: every version, the capabilities with the tasks extension, the instructions */
export function discoverResult(dispatcher: Dispatcher): Record<string, unknown> {
  return {
    supportedVersions: [...ALL_VERSIONS],
    capabilities: { ...dispatcher.capabilities, extensions: { [TASKS_EXTENSION]: {} } },
    instructions: dispatcher.instructions,
    serverInfo: SERVER_INFO,
    _meta: { [META.serverInfo]: SERVER_INFO }
  }
}

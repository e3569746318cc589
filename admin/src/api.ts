// Calls to the server's /api: JSON in and out, coded errors surfaced as ApiError, 401 handled once.
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly data?: Record<string, unknown>) {
    super(message)
  }
}

let onUnauthorized: () => void = () => undefined
export const setUnauthorizedHandler = (fn: () => void): void => {
  onUnauthorized = fn
}

export async function api<T = unknown>(path: string, init: RequestInit & { json?: unknown } = {}): Promise<T> {
  const { json, ...rest } = init
  const res = await fetch(path, {
    credentials: 'same-origin',
    ...rest,
    headers: { ...(json !== undefined ? { 'content-type': 'application/json' } : {}), ...(rest.headers ?? {}) },
    ...(json !== undefined ? { body: JSON.stringify(json) } : {})
  })
  if (res.status === 401) onUnauthorized()
  if (res.status === 204) return undefined as T
  const body = res.headers.get('content-type')?.includes('application/json') ? await res.json() : undefined
  if (!res.ok) {
    const e = (body as { error?: { code: string; message: string; data?: Record<string, unknown> } } | undefined)?.error
    throw new ApiError(res.status, e?.code ?? 'HTTP_ERROR', e?.message ?? `HTTP ${res.status}`, e?.data)
  }
  return body as T
}

export interface Status {
  whatsapp: {
    linked: boolean
    ready: boolean
    state: string
    message: string
    me?: { jid: string; lid?: string; name?: string }
    last_disconnect?: { code?: number; reason: string; at: number }
    qr_available: boolean
    qr_issued_at?: number | null
    history: { syncType: string; progress?: number; messages: number; chats: number } | null
    restarts: Array<{ at: number; cause: string }>
    recovery: { counts: Record<string, number>; recent: Array<{ at: number; action: string; reason: string }> } | null
  }
  store: { chats: number; messages: number; contacts: number; groups: number; media_files?: number; pending_writes: number }
  mcp: { sessions: number }
  health?: { ok: boolean; reason: string }
}

/** the live status stream (SSE), reconnecting by itself */
export function watchStatus(onStatus: (s: Status) => void): EventSource {
  const es = new EventSource('/api/events', { withCredentials: true })
  es.addEventListener('status', (e) => onStatus(JSON.parse((e as MessageEvent<string>).data) as Status))
  return es
}

// What the dispatcher tells an observer (the audit trail) about each tools/call it ran: era-blind, since
// both the 2025 sessions and the 2026 stateless router run their calls through the dispatcher.
import type { Principal } from '../access/principal.js'
import type { CallToolResult } from './tool.js'

/** one finished tools/call */
export interface ObservedCall {
  tool: string
  /** the arguments as validated (as sent, when validation refused them) */
  args: Record<string, unknown>
  /** the structured result when the tool returned an object; absent for cached and pre-encoded answers */
  result?: unknown
  outcome: 'ok' | 'error' | 'cancelled'
  /** the error code of a failure */
  code?: string
  /** ms since the epoch */
  startedAt: number
  durationMs: number
  /** the tool is annotated read-only (readOnlyHint) */
  readOnly: boolean
  principal?: Principal
  /** the client's clientInfo.name (the session's in 2025, the request's `_meta` in 2026) */
  clientName?: string
}

/**
 * Told of every tools/call after it ended and before its reply is handed to the transport, so an
 * observer can make its record durable first. A call suspended for the client's input (2026
 * input_required) is told when the re-sent request ends. Must not throw; the dispatcher guards anyway.
 */
export interface ToolCallObserver {
  /** whether calls of this tool are observed at all: the others cost the call nothing (ping is the hot path) */
  observes(tool: string): boolean
  toolCalled(call: ObservedCall): void
}

/**
 * The code an isError result carries (toolErrorResult's shape): its structuredContent's error code, else
 * the `CODE: ` its text starts with, else the JSON error object of the older text form; INTERNAL otherwise.
 */
export function codeOf(result: CallToolResult): string {
  const structured = (result.structuredContent as { error?: { code?: unknown } } | undefined)?.error?.code
  if (typeof structured === 'string') return structured
  const block = result.content?.[0]
  const text = block?.type === 'text' ? block.text : undefined
  if (text === undefined) return 'INTERNAL'
  const prefix = /^([A-Z][A-Z0-9_]*): /.exec(text)
  if (prefix) return prefix[1]!
  try {
    const code = (JSON.parse(text) as { error?: { code?: unknown } }).error?.code
    return typeof code === 'string' ? code : 'INTERNAL'
  } catch {
    return 'INTERNAL'
  }
}

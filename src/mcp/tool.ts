// One tool = one file that calls defineTool: its zod input and output shapes, annotations, and a handler
// that returns the structured result. Errors are AppErrors; the dispatcher turns them into isError results.
import type { z } from 'zod'
import type { Services } from '../app/services.js'
import type { InputMethod, InputRequests, InputResponses } from './input.js'
import type { Principal, Toolset } from '../access/principal.js'
import type { ChatAccess } from '../access/chat-policy.js'

export interface ToolAnnotations {
  title: string
  readOnlyHint: boolean
  destructiveHint: boolean
  idempotentHint: boolean
  openWorldHint: boolean
}

export type ContentBlock =
  | { type: 'text'; text: string }
  | { type: 'image'; data: string; mimeType: string }
  | { type: 'audio'; data: string; mimeType: string }
  | { type: 'resource'; resource: { uri: string; mimeType?: string; text?: string; blob?: string } }

export interface CallToolResult {
  content: ContentBlock[]
  structuredContent?: Record<string, unknown>
  isError?: boolean
}

export interface ToolContext {
  services: Services
  signal: AbortSignal
  /** `fn` runs once if the client cancels the call (cheaper than listening on `signal`) */
  onCancel(fn: () => void): void
  /** a notification related to this call (progress, log message), on the call's stream when it has one */
  notify(method: string, params: Record<string, unknown>): void
  /** a server -> client request (sampling, elicitation) answered by the client on a later POST */
  request(method: string, params: Record<string, unknown>, timeoutMs?: number): Promise<Record<string, unknown>>
  progressToken?: string | number
  /** who is calling (the MCP session): per-caller limits count on it */
  readonly caller: object
  /** whose token the call came with (the static token, a credential, an OAuth grant) */
  readonly principal: Principal
  /**
   * The chats this caller may see and act on (its credential's scope and the per-chat policy): `read(jid)`
   * and `write(jid)` throw CHAT_FORBIDDEN or CHAT_READ_ONLY (approval is the gate's, services.approvals); `where(column)` is the
   * SQL condition a list passes down to its query.
   */
  readonly chats: ChatAccess
  /** sends notifications/message when the session's log level lets it through */
  log(level: 'debug' | 'info' | 'notice' | 'warning' | 'error', data: unknown): void
  /** ends this call's SSE stream early; the result then waits for the client's GET reconnection */
  closeStream?(): void
  /**
   * Answers from the client (the user confirms, picks, types; the client samples or lists roots), keyed as
   * asked. The same in both protocol eras; a client that declared no capability for a request makes it
   * fail with MCP_CLIENT_CAPABILITY_MISSING. In 2026 the call may be run again from the start with the
   * answers, so a tool asks before it does anything it must not do twice.
   */
  input(requests: InputRequests): Promise<InputResponses>
  /** whether the client declared the capability an input method needs */
  clientCan(method: InputMethod): boolean
  /** for a tool with `detachesItself`: the rest of the call may run as a task the client polls */
  detach(): void
}

export interface ToolDef<I extends z.ZodRawShape = z.ZodRawShape, O extends z.ZodRawShape = z.ZodRawShape> {
  name: string
  /**
   * The group the tool belongs to: MCP_TOOLSETS publishes by it and a credential is given toolsets. A
   * tool without one is reachable only with the admin toolset (the static token has every toolset).
   */
  toolset?: Toolset
  description: string
  input: I
  output?: O
  annotations: ToolAnnotations
  /** the structured result; the text rendering is its JSON */
  run?(args: z.infer<z.ZodObject<I>>, ctx: ToolContext): Promise<z.infer<z.ZodObject<O>> | JsonText>
  /** extra content blocks besides the JSON text (an image, say) */
  render?(result: z.infer<z.ZodObject<O>>): Promise<ContentBlock[]> | ContentBlock[]
  /** full control of the result, for tools whose content is not a JSON object */
  call?(args: z.infer<z.ZodObject<I>>, ctx: ToolContext): Promise<CallToolResult>
  /**
   * The answer depends on the arguments and the store alone (no WhatsApp call, no settings, no clock), so
   * the dispatcher may give it again until the next store write.
   */
  storeRead?: true
  /**
   * Whether the call can run as a task of the io.modelcontextprotocol/tasks extension (2026 clients that
   * declare it poll it with tasks/get; everyone else gets the result of a plain call, with progress).
   * 'required': a client without the extension is refused.
   */
  taskSupport?: 'optional' | 'required'
  /** the task starts when the tool calls ctx.detach() (after asking for input, say), not with the call */
  detachesItself?: true
  /**
   * The call means the same when it runs again from these arguments (what it reads from is pinned in
   * them, a cursor say). Its task handle is then sealed with them, so a handle this process does not know
   * (minted before a restart, or by another replica) runs the call again instead of being unknown.
   */
  rerunnable?(args: Record<string, unknown>, services: Services): Record<string, unknown>
  /** a hand-written JSON Schema for the input, when zod cannot say it */
  inputJsonSchema?: Record<string, unknown>
}

/** a structured result that is already JSON text (built by SQLite, say): the dispatcher sends it as it is */
export class JsonText {
  constructor(readonly json: string) {}
}

export function defineTool<I extends z.ZodRawShape, O extends z.ZodRawShape>(def: ToolDef<I, O>): ToolDef<I, O> {
  return def
}

export const READ_ONLY = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const
export const READ_REMOTE = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true } as const

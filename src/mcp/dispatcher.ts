// The lean MCP server: JSON-RPC methods to handlers, tools validated with their zod schemas. tools/list is
// rendered once; a tools/call costs a zod parse and the tool itself, nothing else on the hot path.
import { z } from 'zod'
import { AppError, toAppError } from '../errors/app-error.js'
import type { Services } from '../app/services.js'
import { JsonText, type CallToolResult, type ContentBlock, type ToolContext, type ToolDef } from './tool.js'
import { ResultCache } from './result-cache.js'
import { CallAbort } from './call-abort.js'
import { RPC, RESULT_BYTES, SUPPORTED_PROTOCOL_VERSIONS, asciiJson, negotiateVersion, rpcError, rpcResult, type RpcRequest, type RpcResponse } from './protocol.js'
import type { McpSession } from './session.js'
import { CallSuspended, ProtocolFault, clientCan, isInputMethod, missingCapability, type InputMethod, type InputRequests, type InputResponses } from './input.js'

export const SERVER_INFO = { name: 'whatsapp-mcp-stream', title: 'WhatsApp MCP (stream)', version: '0.1.0' }
const INSTRUCTIONS = 'WhatsApp for one linked account: read, search and send messages and media. Tool errors carry a stable code; retryable ones say so. Lists page with cursor/next_cursor.'
const SESSION_VERSIONS = new Set<string>(SUPPORTED_PROTOCOL_VERSIONS)
const LOG_LEVELS = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency']

export interface ResourceDef {
  uri: string
  name: string
  title?: string
  description?: string
  mimeType?: string
  read(): Promise<Array<{ uri: string; mimeType?: string; text?: string; blob?: string }>>
}

export interface ResourceTemplateDef {
  uriTemplate: string
  name: string
  description?: string
  mimeType?: string
  match(uri: string): Record<string, string> | undefined
  /** values for a template variable that start with, or whose name contains, what the user typed */
  complete?(variable: string, value: string): string[]
  read(uri: string, vars: Record<string, string>): Promise<Array<{ uri: string; mimeType?: string; text?: string; blob?: string }>>
}

export interface PromptDef {
  name: string
  title?: string
  description?: string
  arguments?: Array<{ name: string; description?: string; required?: boolean }>
  /** `input` asks the client for more (see ToolContext.input) */
  get(args: Record<string, string>, input: (requests: InputRequests) => Promise<InputResponses>): Promise<{ description?: string; messages: unknown[] }>
  complete?(argument: string, value: string): string[]
}

export interface Registry {
  tools: readonly ToolDef[]
  /** experimental capabilities (`claude/channel`), and what the instructions say of them */
  experimental?: Record<string, object>
  instructions?: string
  resources?: readonly ResourceDef[]
  templates?: readonly ResourceTemplateDef[]
  prompts?: readonly PromptDef[]
}

export interface CallHooks {
  notify(method: string, params: Record<string, unknown>): void
  request(method: string, params: Record<string, unknown>, timeoutMs?: number): Promise<Record<string, unknown>>
  closeStream?(): void
  /** answers for input requests, when the transport gathers them itself (2026: from the re-sent request) */
  input?(requests: InputRequests): Promise<InputResponses>
  /** the call may go on as a task from here (2026 tasks extension); a no-op where there are no tasks */
  detach?(): void
}

/**
 * Input through the hooks: checked against the client's declared capabilities first, then gathered by the
 * transport, or asked one by one as server -> client requests.
 */
async function gatherInput(hooks: CallHooks, caps: Record<string, unknown>, requests: InputRequests): Promise<InputResponses> {
  for (const r of Object.values(requests)) if (!clientCan(caps, r.method)) throw missingCapability(r.method)
  if (hooks.input) return hooks.input(requests)
  const out: InputResponses = {}
  for (const [key, r] of Object.entries(requests)) out[key] = await hooks.request(r.method, r.params)
  return out
}

interface CompiledTool {
  def: ToolDef
  schema: z.ZodObject<z.ZodRawShape>
}

/**
 * A tool error as an `isError` result: the text starts with the code and the message (what a model reads
 * first), then the error object as JSON; `structuredContent` is `{ error }` too, as docs/errors.md says,
 * unless `structured` is false. It must be for a tool with an outputSchema on a 2025 session: the v1 SDK
 * client (1.32) validates any structuredContent against the outputSchema, isError or not, and an error
 * object fails that check; the v2 client skips it for isError, and so does the 2026 era's.
 */
export function toolErrorResult(err: unknown, structured = true): CallToolResult {
  const error = (err instanceof AppError ? err : toAppError(err)).toJSON()
  const text = `${error.code}: ${error.message}\n${JSON.stringify({ error })}`
  return { isError: true, content: [{ type: 'text', text }], ...(structured ? { structuredContent: { error } } : {}) }
}

/** whether a tool's error result may carry structuredContent for this session (see toolErrorResult) */
const structuredErrors = (def: ToolDef, session: McpSession): boolean => !def.output || !SESSION_VERSIONS.has(session.protocolVersion)

/** a tool result encoded once: the JSON as the text block (for clients without structured content) and as structuredContent */
const encodeResult = (json: string, extra: ContentBlock[]): string =>
  `{"content":[{"type":"text","text":${JSON.stringify(json)}}${extra.map((b) => `,${JSON.stringify(b)}`).join('')}],"structuredContent":${json}}`

/** what a tool sees of its call; a class, so a call that uses none of it allocates no closures */
class CallContext implements ToolContext {
  constructor(
    readonly services: Services,
    private readonly abort: CallAbort,
    private readonly hooks: CallHooks,
    private readonly session: McpSession,
    private readonly tool: string,
    readonly progressToken: string | number | undefined
  ) {}

  get signal(): AbortSignal {
    return this.abort.signal
  }

  get caller(): object {
    return this.session
  }

  onCancel(fn: () => void): void {
    this.abort.onAbort(fn)
  }

  notify(method: string, params: Record<string, unknown>): void {
    this.hooks.notify(method, params)
  }

  request(method: string, params: Record<string, unknown>, timeoutMs?: number): Promise<Record<string, unknown>> {
    if (isInputMethod(method) && !clientCan(this.session.clientCapabilities, method)) return Promise.reject(missingCapability(method))
    return this.hooks.request(method, params, timeoutMs)
  }

  input(requests: InputRequests): Promise<InputResponses> {
    return gatherInput(this.hooks, this.session.clientCapabilities, requests)
  }

  clientCan(method: InputMethod): boolean {
    return clientCan(this.session.clientCapabilities, method)
  }

  detach(): void {
    this.hooks.detach?.()
  }

  closeStream(): void {
    this.hooks.closeStream?.()
  }

  log(level: 'debug' | 'info' | 'notice' | 'warning' | 'error', data: unknown): void {
    if (LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(this.session.logLevel)) this.hooks.notify('notifications/message', { level, logger: this.tool, data })
  }
}

/**
 * A tool schema as tools/list publishes it: JSON Schema 2020-12 is what MCP assumes, so the `$schema` line
 * (50 bytes, twice per tool) is left out; a shape used twice in one schema is one `$defs` entry.
 */
function published(schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _drop, ...rest } = schema
  return rest
}

export class Dispatcher {
  private readonly tools = new Map<string, CompiledTool>()
  private readonly toolsList: unknown
  readonly capabilities: Record<string, unknown>
  readonly instructions: string
  readonly cache: ResultCache

  constructor(private readonly services: Services, private readonly registry: Registry) {
    this.cache = new ResultCache(() => services.writes?.generation ?? 0, services.config?.MCP_CACHE_ENTRIES ?? 2_000)
    const list: unknown[] = []
    for (const def of registry.tools) {
      // unknown argument names are refused, naming the accepted ones: a silently dropped filter (unread_only
      // for only_unread) listed everything and the model never knew
      const schema = z.strictObject(def.input)
      this.tools.set(def.name, { def, schema })
      const inputSchema = def.inputJsonSchema ?? published(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }))
      list.push({
        name: def.name,
        title: def.annotations.title,
        description: def.description,
        inputSchema,
        ...(def.output ? { outputSchema: published(z.toJSONSchema(z.object(def.output), { io: 'output', unrepresentable: 'any' })) } : {}),
        annotations: def.annotations
      })
    }
    this.toolsList = { tools: list }
    this.instructions = INSTRUCTIONS + (registry.instructions ?? '')
    this.capabilities = {
      ...(registry.experimental ? { experimental: registry.experimental } : {}),
      tools: { listChanged: false },
      logging: {},
      // advertised only when something answers completion/complete with values
      ...(registry.prompts?.some((p) => p.complete) || registry.templates?.some((t) => t.complete) ? { completions: {} } : {}),
      ...(registry.resources?.length || registry.templates?.length ? { resources: { subscribe: true, listChanged: false } } : {}),
      ...(registry.prompts?.length ? { prompts: { listChanged: false } } : {})
    }
  }

  /** a tool's definition by name */
  tool(name: string): ToolDef | undefined {
    return this.tools.get(name)?.def
  }

  initializeResult(params: Record<string, unknown> | undefined): { version: string; result: unknown } {
    const version = negotiateVersion(params?.protocolVersion)
    return { version, result: { protocolVersion: version, capabilities: this.capabilities, serverInfo: SERVER_INFO, instructions: this.instructions } }
  }

  /** one request of a session; undefined when it was cancelled (no response is due) */
  async handle(session: McpSession, req: RpcRequest, hooks: CallHooks): Promise<RpcResponse | undefined> {
    const p = req.params ?? {}
    switch (req.method) {
      case 'ping':
        return rpcResult(req.id, {})
      case 'initialize':
        return rpcError(req.id, RPC.INVALID_REQUEST, 'The session is already initialized.')
      case 'tools/list':
        return rpcResult(req.id, this.toolsList)
      case 'tools/call':
        return this.callTool(session, req, hooks)
      case 'logging/setLevel': {
        if (typeof p.level !== 'string' || !LOG_LEVELS.includes(p.level)) return rpcError(req.id, RPC.INVALID_PARAMS, `level must be one of ${LOG_LEVELS.join(', ')}`)
        session.logLevel = p.level
        return rpcResult(req.id, {})
      }
      case 'completion/complete':
        return rpcResult(req.id, { completion: this.complete(p) })
      case 'resources/list':
        return rpcResult(req.id, { resources: (this.registry.resources ?? []).map(({ uri, name, title, description, mimeType }) => ({ uri, name, title, description, mimeType })) })
      case 'resources/templates/list':
        return rpcResult(req.id, { resourceTemplates: (this.registry.templates ?? []).map(({ uriTemplate, name, description, mimeType }) => ({ uriTemplate, name, description, mimeType })) })
      case 'resources/read':
        return this.readResource(req)
      case 'resources/subscribe':
      case 'resources/unsubscribe': {
        if (typeof p.uri !== 'string') return rpcError(req.id, RPC.INVALID_PARAMS, 'uri is required')
        session.subscriptions ??= new Set()
        if (req.method === 'resources/subscribe') session.subscriptions.add(p.uri)
        else session.subscriptions.delete(p.uri)
        return rpcResult(req.id, {})
      }
      case 'prompts/list':
        return rpcResult(req.id, { prompts: (this.registry.prompts ?? []).map(({ name, title, description, arguments: args }) => ({ name, title, description, arguments: args })) })
      case 'prompts/get': {
        const prompt = this.registry.prompts?.find((x) => x.name === p.name)
        if (!prompt) return rpcError(req.id, RPC.INVALID_PARAMS, `Unknown prompt: ${String(p.name)}`)
        const args = (p.arguments ?? {}) as Record<string, string>
        const missing = prompt.arguments?.filter((a) => a.required && args[a.name] === undefined).map((a) => a.name) ?? []
        if (missing.length) return rpcError(req.id, RPC.INVALID_PARAMS, `Missing required arguments: ${missing.join(', ')}`)
        try {
          return rpcResult(req.id, await prompt.get(args, (requests) => gatherInput(hooks, session.clientCapabilities, requests)))
        } catch (err) {
          if (err instanceof ProtocolFault) return err.toRpc(req.id)
          throw err
        }
      }
      default:
        return rpcError(req.id, RPC.METHOD_NOT_FOUND, `Method not found: ${req.method}`)
    }
  }

  private complete(p: Record<string, unknown>): { values: string[]; total: number; hasMore: boolean } {
    const ref = p.ref as { type?: string; name?: string } | undefined
    const arg = p.argument as { name?: string; value?: string } | undefined
    const r = p.ref as { type?: string; name?: string; uri?: string } | undefined
    const prompt = ref?.type === 'ref/prompt' ? this.registry.prompts?.find((x) => x.name === ref.name) : undefined
    const template = r?.type === 'ref/resource' ? this.registry.templates?.find((x) => x.uriTemplate === r.uri) : undefined
    const complete = prompt?.complete?.bind(prompt) ?? template?.complete?.bind(template)
    const values = complete && typeof arg?.name === 'string' ? complete(arg.name, String(arg.value ?? '')) : []
    return { values: values.slice(0, 100), total: values.length, hasMore: values.length > 100 }
  }

  private async readResource(req: RpcRequest): Promise<RpcResponse> {
    const uri = req.params?.uri
    if (typeof uri !== 'string') return rpcError(req.id, RPC.INVALID_PARAMS, 'uri is required')
    const r = this.registry.resources?.find((x) => x.uri === uri)
    if (r) return rpcResult(req.id, { contents: await r.read() })
    for (const t of this.registry.templates ?? []) {
      const vars = t.match(uri)
      if (vars) return rpcResult(req.id, { contents: await t.read(uri, vars) })
    }
    return rpcError(req.id, -32002, `Resource not found: ${uri}`, { uri })
  }

  private async callTool(session: McpSession, req: RpcRequest, hooks: CallHooks): Promise<RpcResponse | undefined> {
    const p = req.params ?? {}
    if (typeof p.name !== 'string') return rpcError(req.id, RPC.INVALID_PARAMS, 'params.name must be a string')
    if (p.arguments !== undefined && (typeof p.arguments !== 'object' || p.arguments === null || Array.isArray(p.arguments))) return rpcError(req.id, RPC.INVALID_PARAMS, 'params.arguments must be an object')
    const tool = this.tools.get(p.name)
    if (!tool) return rpcError(req.id, RPC.INVALID_PARAMS, `Unknown tool: ${p.name}`)
    const parsed = tool.schema.safeParse(p.arguments ?? {})
    // a model can correct bad arguments from a tool error; a protocol error would hide the reason from it
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(arguments)'}: ${i.message}${i.code === 'unrecognized_keys' ? ` (accepted: ${Object.keys(tool.def.input).join(', ')})` : ''}`)
      return rpcResult(req.id, toolErrorResult(new AppError('INVALID_INPUT', `Invalid arguments for ${p.name}: ${issues.join('; ')}`, { issues }), structuredErrors(tool.def, session)))
    }
    const controller = new CallAbort()
    session.inflight.set(req.id, controller)
    const progressToken = (p._meta as { progressToken?: string | number } | undefined)?.progressToken
    const ctx = new CallContext(this.services, controller, hooks, session, p.name, progressToken)
    try {
      const def = tool.def
      let result: CallToolResult
      if (def.call) result = await def.call(parsed.data as never, ctx)
      else {
        const key = def.storeRead && this.cache.enabled ? `${def.name}\u0000${JSON.stringify(parsed.data)}` : undefined
        const cached = key !== undefined ? this.cache.get(key) : undefined
        if (cached) return rpcResult(req.id, { [RESULT_BYTES]: cached })
        const startedIn = this.cache.current()
        const out = await def.run!(parsed.data as never, ctx)
        const json = out instanceof JsonText ? out.json : JSON.stringify(out)
        const extra = def.render ? await def.render((out instanceof JsonText ? JSON.parse(json) : out) as never) : []
        const encoded = asciiJson(encodeResult(json, extra))
        // kept as UTF-8 bytes: a hit is then written to the socket without another conversion
        if (key !== undefined) this.cache.set(key, Buffer.from(encoded), startedIn)
        result = { [RESULT_BYTES]: encoded } as unknown as CallToolResult
      }
      if (controller.aborted) return undefined
      return rpcResult(req.id, result)
    } catch (err) {
      if (controller.aborted) return undefined
      // a call waiting for the client's input is not a failure: the transport answers for it
      if (err instanceof CallSuspended) throw err
      if (err instanceof ProtocolFault) return err.toRpc(req.id)
      if (!(err instanceof AppError)) this.services.log.error({ err, tool: p.name }, 'tool failed unexpectedly')
      return rpcResult(req.id, toolErrorResult(err, structuredErrors(tool.def, session)))
    } finally {
      session.inflight.delete(req.id)
    }
  }
}

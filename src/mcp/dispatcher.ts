// The lean MCP server: JSON-RPC methods to handlers, tools validated with their zod schemas. tools/list is
// rendered once; a tools/call costs a zod parse and the tool itself, nothing else on the hot path.
import { z } from 'zod'
import { AppError, toAppError } from '../errors/app-error.js'
import type { Services } from '../app/services.js'
import { JsonText, type CallToolResult, type ContentBlock, type ToolContext, type ToolDef } from './tool.js'
import { ResultCache } from './result-cache.js'
import { CallAbort } from './call-abort.js'
import { publishedAnnotations, publishedSchema } from './catalog-schema.js'
import { RPC, RESULT_BYTES, SUPPORTED_PROTOCOL_VERSIONS, asciiJson, negotiateVersion, rpcError, rpcResult, type RpcRequest, type RpcResponse } from './protocol.js'
import type { McpSession } from './session.js'
import { codeOf, type ObservedCall, type ToolCallObserver } from './call-observer.js'
import { CallSuspended, ProtocolFault, clientCan, isInputMethod, missingCapability, type InputMethod, type InputRequests, type InputResponses } from './input.js'
import { ChatAccess, ChatAccessCache, EMPTY_POLICIES } from '../access/chat-policy.js'
import { publishedToolsets, toolsetOf, toolsetsKey, mayUse } from '../access/toolsets.js'
import type { Principal, Toolset } from '../access/principal.js'

export const SERVER_INFO = { name: 'whatsapp-mcp-stream', title: 'WhatsApp MCP (stream)', version: '0.1.0' }
const INSTRUCTIONS = 'WhatsApp for one linked account: read, search and send messages and media. Tool errors carry a stable code; retryable ones say so. Lists page with cursor/next_cursor. A chat or person is named by JID (15551234567@s.whatsapp.net, 123-456@g.us, 123@lid), phone (+1 555 000 1111) or exact name; a message by chat_jid:id (15551234567@s.whatsapp.net:3EB0A1B2); a time by ISO 8601 (2026-12-01T09:30:00Z; no zone = UTC) or unix ms.'
const SESSION_VERSIONS = new Set<string>(SUPPORTED_PROTOCOL_VERSIONS)
const LOG_LEVELS = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency']

export interface ResourceDef {
  uri: string
  name: string
  title?: string
  description?: string
  mimeType?: string
  /** `access`: the chats the reader may see */
  read(access: ChatAccess): Promise<Array<{ uri: string; mimeType?: string; text?: string; blob?: string }>>
}

export interface ResourceTemplateDef {
  uriTemplate: string
  name: string
  description?: string
  mimeType?: string
  match(uri: string): Record<string, string> | undefined
  /** values for a template variable that start with, or whose name contains, what the user typed, among the chats `access` sees */
  complete?(variable: string, value: string, access: ChatAccess): string[]
  read(uri: string, vars: Record<string, string>, access: ChatAccess): Promise<Array<{ uri: string; mimeType?: string; text?: string; blob?: string }>>
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
  toolset: Toolset
  /** the tool as tools/list shows it */
  listed: unknown
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
  `{"content":[{"type":"text","text":${JSON.stringify(json)}}${extra.length ? extra.map((b) => `,${JSON.stringify(b)}`).join('') : ''}],"structuredContent":${json}}`

/** what a tool sees of its call; a class, so a call that uses none of it allocates no closures */
class CallContext implements ToolContext {
  constructor(
    readonly services: Services,
    private readonly abort: CallAbort,
    private readonly hooks: CallHooks,
    private readonly session: McpSession,
    private readonly tool: string,
    readonly progressToken: string | number | undefined,
    readonly chats: ChatAccess
  ) {}

  get principal(): Principal {
    return this.session.principal
  }

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

export class Dispatcher {
  private readonly tools = new Map<string, CompiledTool>()
  /** tools/list rendered once per distinct set of toolsets a caller holds (it is on a hot path) */
  private readonly toolsLists = new Map<string, unknown>()
  private readonly access: ChatAccessCache
  /** the resources show chats and messages: they exist only where the read toolset is published */
  private readonly readPublished: boolean
  readonly capabilities: Record<string, unknown>
  readonly instructions: string
  readonly cache: ResultCache

  constructor(private readonly services: Services, private readonly registry: Registry, private readonly observer?: ToolCallObserver) {
    this.cache = new ResultCache(() => services.writes?.generation ?? 0, services.config?.MCP_CACHE_ENTRIES ?? 2_000)
    this.access = services.access?.chatAccess ?? new ChatAccessCache(() => EMPTY_POLICIES)
    // MCP_TOOLSETS: a tool outside the published sets does not exist for anyone
    const published = publishedToolsets(services.config?.MCP_TOOLSETS)
    this.readPublished = published.has('read')
    for (const def of registry.tools) {
      const toolset = toolsetOf(def)
      if (!published.has(toolset)) continue
      // unknown argument names are refused, naming the accepted ones: a silently dropped filter (unread_only
      // for only_unread) listed everything and the model never knew
      const schema = z.strictObject(def.input)
      const inputSchema = def.inputJsonSchema ?? publishedSchema(schema, 'input')
      this.tools.set(def.name, { def, schema, toolset, listed: {
        name: def.name,
        title: def.annotations.title,
        description: def.description,
        inputSchema,
        ...(def.output ? { outputSchema: publishedSchema(z.object(def.output), 'output') } : {}),
        annotations: publishedAnnotations(def.annotations)
      } })
    }
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

  /** the tools/list result for a principal: the same object for every principal holding the same toolsets */
  toolsListFor(p: Principal): unknown {
    const key = toolsetsKey(p)
    let list = this.toolsLists.get(key)
    if (!list) {
      list = { tools: [...this.tools.values()].filter((t) => mayUse(p, t.toolset)).map((t) => t.listed) }
      this.toolsLists.set(key, list)
    }
    return list
  }

  /** what a principal may see of the chats, for the transports' own filtering (resource notifications) */
  chatAccess(p: Principal): ChatAccess {
    return this.access.of(p)
  }

  initializeResult(params: Record<string, unknown> | undefined): { version: string; result: unknown } {
    const version = negotiateVersion(params?.protocolVersion)
    return { version, result: { protocolVersion: version, capabilities: this.capabilities, serverInfo: SERVER_INFO, instructions: this.instructions } }
  }

  /** one request of a session; undefined when it was cancelled (no response is due) */
  handle(session: McpSession, req: RpcRequest, hooks: CallHooks): Promise<RpcResponse | undefined> {
    // straight to the call: a wrapper's promise would be held as long as the call runs (a wait of minutes)
    if (req.method === 'tools/call') return this.callTool(session, req, hooks)
    return this.handleOther(session, req, hooks)
  }

  private async handleOther(session: McpSession, req: RpcRequest, hooks: CallHooks): Promise<RpcResponse | undefined> {
    const p = req.params ?? {}
    switch (req.method) {
      case 'ping':
        return rpcResult(req.id, {})
      case 'initialize':
        return rpcError(req.id, RPC.INVALID_REQUEST, 'The session is already initialized.')
      case 'tools/list':
        return rpcResult(req.id, this.toolsListFor(session.principal))
      case 'tools/call':
        return this.callTool(session, req, hooks)
      case 'logging/setLevel': {
        if (typeof p.level !== 'string' || !LOG_LEVELS.includes(p.level)) return rpcError(req.id, RPC.INVALID_PARAMS, `level must be one of ${LOG_LEVELS.join(', ')}`)
        session.logLevel = p.level
        return rpcResult(req.id, {})
      }
      case 'completion/complete':
        return rpcResult(req.id, { completion: this.complete(p, session) })
      case 'resources/list':
        return rpcResult(req.id, { resources: (this.mayRead(session) ? (this.registry.resources ?? []) : []).map(({ uri, name, title, description, mimeType }) => ({ uri, name, title, description, mimeType })) })
      case 'resources/templates/list':
        return rpcResult(req.id, { resourceTemplates: (this.mayRead(session) ? (this.registry.templates ?? []) : []).map(({ uriTemplate, name, description, mimeType }) => ({ uriTemplate, name, description, mimeType })) })
      case 'resources/read':
        return this.readResource(session, req)
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

  private mayRead(session: McpSession): boolean {
    return this.readPublished && mayUse(session.principal, 'read')
  }

  private complete(p: Record<string, unknown>, session: McpSession): { values: string[]; total: number; hasMore: boolean } {
    const ref = p.ref as { type?: string; name?: string; uri?: string } | undefined
    const arg = p.argument as { name?: string; value?: string } | undefined
    const prompt = ref?.type === 'ref/prompt' ? this.registry.prompts?.find((x) => x.name === ref.name) : undefined
    // a template completes chats: only those the caller may read
    const template = ref?.type === 'ref/resource' && this.mayRead(session) ? this.registry.templates?.find((x) => x.uriTemplate === ref.uri) : undefined
    const name = typeof arg?.name === 'string' ? arg.name : undefined
    const value = String(arg?.value ?? '')
    const values = name === undefined ? [] : prompt?.complete ? prompt.complete(name, value) : template?.complete ? template.complete(name, value, this.access.of(session.principal)) : []
    return { values: values.slice(0, 100), total: values.length, hasMore: values.length > 100 }
  }

  private async readResource(session: McpSession, req: RpcRequest): Promise<RpcResponse> {
    const uri = req.params?.uri
    if (typeof uri !== 'string') return rpcError(req.id, RPC.INVALID_PARAMS, 'uri is required')
    // the resources show chats and messages: they are the read toolset's
    if (!this.mayRead(session)) return rpcError(req.id, RPC.INVALID_PARAMS, 'Reading resources needs the read toolset.', { code: 'TOOL_FORBIDDEN', uri })
    const access = this.access.of(session.principal)
    const r = this.registry.resources?.find((x) => x.uri === uri)
    if (r) return rpcResult(req.id, { contents: await r.read(access) })
    for (const t of this.registry.templates ?? []) {
      const vars = t.match(uri)
      if (vars) return rpcResult(req.id, { contents: await t.read(uri, vars, access) })
    }
    return rpcError(req.id, -32002, `Resource not found: ${uri}`, { uri })
  }

  // Not async: a suspended async function keeps its whole register file, and a call that waits
  // (wait_for_messages, ten thousand at once) would keep it for minutes. The call's state lives in the settle
  // closures alone, and one promise leads from the tool to the response.
  private callTool(session: McpSession, req: RpcRequest, hooks: CallHooks): Promise<RpcResponse | undefined> {
    const p = req.params ?? {}
    if (typeof p.name !== 'string') return Promise.resolve(rpcError(req.id, RPC.INVALID_PARAMS, 'params.name must be a string'))
    if (p.arguments !== undefined && (typeof p.arguments !== 'object' || p.arguments === null || Array.isArray(p.arguments))) return Promise.resolve(rpcError(req.id, RPC.INVALID_PARAMS, 'params.arguments must be an object'))
    const name = p.name
    const tool = this.tools.get(name)
    if (!tool) return Promise.resolve(rpcError(req.id, RPC.INVALID_PARAMS, `Unknown tool: ${name}`))
    if (!mayUse(session.principal, tool.toolset)) return Promise.resolve(rpcResult(req.id, toolErrorResult(new AppError('TOOL_FORBIDDEN', `${name} is in the ${tool.toolset} toolset, which this credential does not hold.`, { tool: name, toolset: tool.toolset }))))
    const startedAt = Date.now()
    const parsed = tool.schema.safeParse(p.arguments ?? {})
    // a model can correct bad arguments from a tool error; a protocol error would hide the reason from it
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(arguments)'}: ${i.message}${i.code === 'unrecognized_keys' ? ` (accepted: ${Object.keys(tool.def.input).join(', ')})` : ''}`)
      this.observe(session, tool.def, startedAt, { args: (p.arguments ?? {}) as Record<string, unknown>, outcome: 'error', code: 'INVALID_INPUT' })
      return Promise.resolve(rpcResult(req.id, toolErrorResult(new AppError('INVALID_INPUT', `Invalid arguments for ${name}: ${issues.join('; ')}`, { issues }), structuredErrors(tool.def, session))))
    }
    const id = req.id
    const args = parsed.data as Record<string, unknown>
    const def = tool.def
    const controller = new CallAbort()
    session.inflight.set(id, controller)
    const progressToken = (p._meta as { progressToken?: string | number } | undefined)?.progressToken
    const access = this.access.of(session.principal)
    const ctx = new CallContext(this.services, controller, hooks, session, name, progressToken, access)
    // the observer is told before the reply is handed back: a record it makes durable is on disk before the
    // client reads the answer; a call suspended for input is told when the re-sent request ends
    const done = (result: CallToolResult, out?: unknown): RpcResponse | undefined => {
      session.inflight.delete(id)
      if (controller.aborted) return this.observed(session, def, startedAt, { args, outcome: 'cancelled' })
      this.observe(session, def, startedAt, result.isError ? { args, outcome: 'error', code: codeOf(result) } : { args, outcome: 'ok', result: out instanceof JsonText ? undefined : out })
      return rpcResult(id, result)
    }
    const failed = (err: unknown): RpcResponse | undefined => {
      session.inflight.delete(id)
      if (controller.aborted) return this.observed(session, def, startedAt, { args, outcome: 'cancelled' })
      // a call waiting for the client's input is not a failure: the transport answers for it
      if (err instanceof CallSuspended) throw err
      if (err instanceof ProtocolFault) {
        this.observe(session, def, startedAt, { args, outcome: 'error', code: err.code })
        return err.toRpc(id)
      }
      if (!(err instanceof AppError)) this.services.log.error({ err, tool: name }, 'tool failed unexpectedly')
      this.observe(session, def, startedAt, { args, outcome: 'error', code: toAppError(err).code })
      return rpcResult(id, toolErrorResult(err, structuredErrors(def, session)))
    }
    try {
      if (def.call) return def.call(parsed.data as never, ctx).then((r) => done(r), failed)
      // the answer depends on the chats the caller may see: callers share it only when they see the same
      const key = def.storeRead && this.cache.enabled ? `${def.name}\u0000${access.key}\u0000${JSON.stringify(parsed.data)}` : undefined
      const cached = key !== undefined ? this.cache.get(key) : undefined
      if (cached) return Promise.resolve(done({ [RESULT_BYTES]: cached } as unknown as CallToolResult))
      const startedIn = this.cache.current()
      // one promise from the tool to the response: the encoding happens in the handler that answers
      return def.run!(parsed.data as never, ctx).then((out) => {
        const json = out instanceof JsonText ? out.json : JSON.stringify(out)
        if (!def.render) return done(this.encoded(json, [], key, startedIn), out)
        return Promise.resolve(def.render((out instanceof JsonText ? JSON.parse(json) : out) as never)).then((extra) => done(this.encoded(json, extra, key, startedIn), out), failed)
      }, failed)
    } catch (err) {
      // a tool that throws before its first await
      try {
        return Promise.resolve(failed(err))
      } catch (suspended) {
        return Promise.reject(suspended)
      }
    }
  }

  private observe(session: McpSession, def: ToolDef, startedAt: number, seen: Pick<ObservedCall, 'args' | 'result' | 'outcome' | 'code'>): void {
    if (!this.observer?.observes(def.name)) return
    try {
      const name = (session.clientInfo as { name?: unknown } | null | undefined)?.name
      this.observer.toolCalled({ ...seen, tool: def.name, startedAt, durationMs: Date.now() - startedAt, readOnly: def.annotations.readOnlyHint, principal: session.principal, clientName: typeof name === 'string' ? name : undefined })
    } catch (err) {
      this.services.log.error({ err, tool: def.name }, 'the tool call observer failed')
    }
  }

  /** observes a cancelled call, which gets no response */
  private observed(session: McpSession, def: ToolDef, startedAt: number, seen: Pick<ObservedCall, 'args' | 'outcome'>): undefined {
    this.observe(session, def, startedAt, seen)
    return undefined
  }

  private encoded(json: string, extra: ContentBlock[], key: string | undefined, startedIn: number): CallToolResult {
    const encoded = asciiJson(encodeResult(json, extra))
    // kept as UTF-8 bytes: a hit is then written to the socket without another conversion
    if (key !== undefined) this.cache.set(key, Buffer.from(encoded), startedIn)
    return { [RESULT_BYTES]: encoded } as unknown as CallToolResult
  }
}

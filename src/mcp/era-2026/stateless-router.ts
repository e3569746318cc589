// One stateless (2026-07-28) request from a checked body to its answer: server/discover, the removed
// methods, multi-round input (input_required with a sealed requestState), and the result fields the
// revision adds (resultType, caching hints). Everything else is the era-blind dispatcher's. No I/O: the
// HTTP shell supplies the hooks that reach the client and writes what comes back.
import { createHash } from 'node:crypto'
import { McpSession } from '../session.js'
import { rpcResult, type RpcRequest, type RpcResponse } from '../protocol.js'
import { CallSuspended, ProtocolFault, isInputMethod, type InputRequests, type InputResponses } from '../input.js'
import type { CallHooks, Dispatcher } from '../dispatcher.js'
import { checkRequest, nameOf, type RequestMeta } from './request-meta.js'
import type { RequestHeaders } from '../../http/request-headers.js'
import { complete, discoverResult, sep2164, statusOf } from './answers.js'
import type { Sealer } from './sealed-state.js'
import { TaskStore, TASK_TTL_MS, type Task } from './task-store.js'
import type { Services } from '../../app/services.js'
import { TASK_METHODS, declaresTasks, settle, taskMethod, tasksRequired } from './task-methods.js'
import { OPEN_PRINCIPAL, type Principal } from '../../access/principal.js'

/** how long a multi-round request may wait for the client's answers */
export const MRTR_TTL_MS = 15 * 60_000
/** the requests a server may answer with input_required (SEP-2322) */
const MRTR_METHODS = new Set(['tools/call', 'prompts/get', 'resources/read'])
/** the methods of the revision; the 2025 ones it removed (initialize, ping, logging/setLevel, resources/subscribe...) are not found */
const METHODS = new Set(['server/discover', 'tools/list', 'tools/call', 'prompts/list', 'prompts/get', 'resources/list', 'resources/templates/list', 'resources/read', 'completion/complete', 'subscriptions/listen', ...TASK_METHODS])

/** what the router hands back: an answer to write, or a listen stream for the shell to hold open */
export type StatelessOutcome = { kind: 'answer'; status: number; response: RpcResponse } | { kind: 'listen'; meta: RequestMeta; request: RpcRequest; filter: Record<string, unknown> }

export interface StatelessRouterDeps {
  dispatcher: Dispatcher
  sealer: Sealer
  tasks?: TaskStore
  /** what a rerunnable tool pins its arguments with (without it, no task handle is sealed) */
  services?: Services
}

/** a sealed task handle's payload: the tool and its pinned arguments */
interface SealedTask {
  n: string
  a: Record<string, unknown>
  /** the principal whose task it is: only its credential may revive it */
  o: string
}

/** the hooks the shell gives a call: how to say something on the call's stream, and when the client left */
export type StatelessHooks = Pick<CallHooks, 'notify'>

const fault = (id: RpcRequest['id'] | null, f: ProtocolFault): StatelessOutcome => ({ kind: 'answer', status: f.status, response: f.toRpc(id) })

interface MrtrState {
  /** method, name (tool, prompt or uri), arguments hash and principal the state belongs to */
  m: string
  p: string
  n: string
  h: string
  /** every answer given so far */
  a: InputResponses
}

/** method, name and principal of a request that may seal a state; its arguments' hash is added when needed */
const bindingOf = (req: RpcRequest, principal: Principal): Omit<MrtrState, 'a'> => ({ m: req.method, p: principal.id, n: String(nameOf(req.method, req.params) ?? ''), h: '' })
/** the answers of a call that brought none (never written to: answersOf makes a new object) */
const NO_ANSWERS: InputResponses = Object.freeze({})

const argsHash = (args: unknown) => createHash('sha256').update(JSON.stringify(args ?? {})).digest('base64url').slice(0, 22)

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

export class StatelessRouter {
  private readonly tasks: TaskStore
  /** per rendered 2025 list (one per set of toolsets), the same list with task support */
  private readonly toolsLists = new WeakMap<object, unknown>()

  constructor(private readonly deps: StatelessRouterDeps) {
    this.tasks = deps.tasks ?? new TaskStore()
  }

  /** the tool list with each tool's task support, which only this revision's clients can use */
  private tools(result: unknown): unknown {
    const known = this.toolsLists.get(result as object)
    if (known) return known
    const list = {
      ...(result as object),
      tools: (result as { tools: Array<{ name: string }> }).tools.map((t) => {
        const support = this.deps.dispatcher.tool(t.name)?.taskSupport
        return support ? { ...t, execution: { taskSupport: support } } : t
      })
    }
    this.toolsLists.set(result as object, list)
    return list
  }

  discover(): Record<string, unknown> {
    return discoverResult(this.deps.dispatcher)
  }

  /**
   * One request already decoded and classified as a request; `hooks.notify` reaches the call's stream. Not
   * async: an answer that needs no call comes back as it is, and a call is one promise from the dispatcher
   * to the outcome (a suspended async frame would be held as long as the call runs, a wait of minutes).
   */
  route(headers: RequestHeaders, req: RpcRequest, hooks: StatelessHooks, onSession?: (s: McpSession) => void, principal: Principal = OPEN_PRINCIPAL): StatelessOutcome | Promise<StatelessOutcome> {
    let meta: RequestMeta
    try {
      meta = checkRequest(headers, req.method, req.params)
    } catch (err) {
      if (err instanceof ProtocolFault) return fault(req.id, err)
      throw err
    }
    if (!METHODS.has(req.method)) return fault(req.id, new ProtocolFault('MCP_METHOD_NOT_FOUND', `Method not found: ${req.method} (not part of protocol ${meta.protocolVersion})`))
    if (req.method === 'server/discover') return { kind: 'answer', status: 200, response: rpcResult(req.id, complete(req.method, this.discover())) }
    if (req.method === 'subscriptions/listen') {
      const filter = req.params?.notifications
      if (!isPlainObject(filter)) return fault(req.id, new ProtocolFault('INVALID_INPUT', 'Invalid params: subscriptions/listen needs a notifications filter object.'))
      if (filter.taskIds === undefined) return { kind: 'listen', meta, request: req, filter }
      if (!declaresTasks(meta.clientCapabilities)) return fault(req.id, tasksRequired('Task status notifications'))
      if (!Array.isArray(filter.taskIds)) return fault(req.id, new ProtocolFault('INVALID_INPUT', 'Invalid params: notifications.taskIds must be an array of task ids.'))
      // only the caller's own live tasks are agreed to: another principal's id is as unknown as a made-up one
      const taskIds = filter.taskIds.slice(0, 1000).filter((id) => this.tasks.get(id)?.owner === principal.id)
      return { kind: 'listen', meta, request: req, filter: { ...filter, taskIds } }
    }
    if (TASK_METHODS.has(req.method)) {
      try {
        return { kind: 'answer', status: 200, response: taskMethod(this.tasks, req, meta.clientCapabilities, principal.id, (id) => this.revive(id, meta, principal)) }
      } catch (err) {
        if (err instanceof ProtocolFault) return fault(req.id, err)
        throw err
      }
    }
    const def = req.method === 'tools/call' ? this.deps.dispatcher.tool(String(req.params?.name)) : undefined
    const taskSupport = def?.taskSupport
    const asTask = taskSupport !== undefined && declaresTasks(meta.clientCapabilities)
    if (taskSupport === 'required' && !asTask) return fault(req.id, tasksRequired(`The tool ${String(req.params?.name)}`))
    // a call that can run again runs from its pinned arguments, and its handle is sealed with them
    let handle: string | undefined
    if (asTask && def?.rerunnable && this.deps.services && isPlainObject(req.params?.arguments ?? {})) {
      const args = def.rerunnable((req.params?.arguments ?? {}) as Record<string, unknown>, this.deps.services)
      handle = this.deps.sealer.seal('task', { n: def.name, a: args, o: principal.id } satisfies SealedTask, TASK_TTL_MS)
      req = { ...req, params: { ...req.params, arguments: args } }
    }
    const session = new McpSession('stateless', meta.protocolVersion, meta.clientInfo, meta.clientCapabilities)
    if (meta.logLevel) session.logLevel = meta.logLevel
    session.principal = principal
    onSession?.(session)
    let answers: InputResponses = NO_ANSWERS
    const mrtr = MRTR_METHODS.has(req.method)
    // what a sealed state is bound to: needed only to check or seal one, which most calls do not
    let binding: Omit<MrtrState, 'a'> | undefined
    try {
      if (mrtr && (req.params?.requestState !== undefined || req.params?.inputResponses !== undefined)) answers = this.answersOf(req, (binding = bindingOf(req, principal)))
    } catch (err) {
      if (err instanceof ProtocolFault) return fault(req.id, err)
      throw err
    }
    // a task-supporting call becomes a task when the tool says so (detach), or at once when it does not ask first
    let task: Task | undefined
    let created: (() => void) | undefined
    // only a call that may become a task needs to hear when it does
    const becameTask = asTask ? new Promise<void>((resolve) => (created = resolve)) : undefined
    const callHooks: CallHooks = {
      // a log message only when the request asked for one (there is no logging/setLevel any more)
      notify: (method, params) => {
        if (method !== 'notifications/message' || meta.logLevel) hooks.notify(method, params)
      },
      request: async (method, params) => {
        if (!isInputMethod(method)) throw new ProtocolFault('INTERNAL', `${method} cannot be sent to a client of protocol ${meta.protocolVersion}.`)
        return (await callHooks.input!({ [method]: { method, params } }))[method]!
      },
      detach: () => {
        if (!asTask || task) return
        task = this.tasks.create(handle)
        task.owner = principal.id
        task.abort = () => {
          for (const a of session.inflight.values()) a.abort()
        }
        created!()
      },
      input: async (requests: InputRequests) => {
        if (task) return task.input(requests)
        if (!mrtr) throw new ProtocolFault('INTERNAL', `${req.method} cannot ask the client for input.`)
        const missing = Object.keys(requests).filter((k) => !isPlainObject(answers[k]))
        if (missing.length) throw new CallSuspended(Object.fromEntries(missing.map((k) => [k, requests[k]!])))
        return Object.fromEntries(Object.keys(requests).map((k) => [k, answers[k]!]))
      }
    }
    if (asTask && !this.deps.dispatcher.tool(String(req.params?.name))?.detachesItself) callHooks.detach!()
    const run = this.deps.dispatcher.handle(session, req, callHooks)
    if (!asTask) return this.settled(run, req, principal, mrtr, binding, answers)
    return (async () => {
      const first = await Promise.race([run.then((r) => ({ r }), (e: unknown) => ({ e })), becameTask!.then(() => undefined)])
      if (task) {
        const t = task
        if (first === undefined) {
          run.then(
            (r) => settle(t, r, (x) => complete('tools/call', x)),
            (e: unknown) => settle(t, e instanceof ProtocolFault ? e.toRpc(req.id) : new ProtocolFault('INTERNAL', 'Internal error').toRpc(req.id), (x) => x)
          )
        } else if ('r' in first) settle(t, first.r, (x) => complete('tools/call', x))
        return { kind: 'answer' as const, status: 200, response: rpcResult(req.id, { resultType: 'task', ...t.envelope() }) }
      }
      return this.settled(run, req, principal, mrtr, binding, answers)
    })()
  }

  /** the outcome of a call the dispatcher runs: its answer, or input_required with the sealed state when it asked for input */
  private settled(run: Promise<RpcResponse | undefined>, req: RpcRequest, principal: Principal, mrtr: boolean, binding: Omit<MrtrState, 'a'> | undefined, answers: InputResponses): Promise<StatelessOutcome> {
    return run.then(
      (response): StatelessOutcome => {
        if (!response) return { kind: 'answer', status: 499, response: { jsonrpc: '2.0', id: req.id, error: { code: -32800, message: 'Request cancelled' } } }
        if (response.error) return { kind: 'answer', status: statusOf(response), response: sep2164(response) }
        return { kind: 'answer', status: 200, response: rpcResult(req.id, complete(req.method, req.method === 'tools/list' ? this.tools(response.result) : response.result)) }
      },
      (err: unknown): StatelessOutcome => {
        if (err instanceof CallSuspended && mrtr) {
          const bound = binding ?? bindingOf(req, principal)
          const requestState = this.deps.sealer.seal('mrtr', { ...bound, h: bound.h || argsHash(req.params?.arguments), a: answers } satisfies MrtrState, MRTR_TTL_MS)
          return { kind: 'answer', status: 200, response: rpcResult(req.id, { resultType: 'input_required', inputRequests: err.requests, requestState }) }
        }
        if (err instanceof ProtocolFault) return fault(req.id, err)
        throw err
      }
    )
  }

  /**
   * A sealed task handle this process does not know: its call runs again from the sealed arguments, as a
   * new task under the same handle. Throws ProtocolFault MCP_STATE_INVALID or MCP_STATE_EXPIRED.
   */
  private revive(taskId: string, meta: RequestMeta, principal: Principal): Task {
    const sealed = this.deps.sealer.open('task', taskId) as SealedTask
    if (!isPlainObject(sealed) || typeof sealed.n !== 'string' || !isPlainObject(sealed.a) || !this.deps.dispatcher.tool(sealed.n)?.rerunnable) {
      throw new ProtocolFault('MCP_STATE_INVALID', 'The task handle names no call this server can run again; call the tool again.')
    }
    // another credential's handle is answered as unknown, and nothing runs for it
    if (sealed.o !== principal.id) throw new ProtocolFault('INVALID_INPUT', `Invalid params: no task ${JSON.stringify(taskId)} (unknown, or expired).`)
    const task = this.tasks.create(taskId)
    task.owner = principal.id
    const session = new McpSession('stateless', meta.protocolVersion, meta.clientInfo, meta.clientCapabilities)
    session.principal = principal
    task.abort = () => {
      for (const a of session.inflight.values()) a.abort()
    }
    const req: RpcRequest = { jsonrpc: '2.0', id: 0, method: 'tools/call', params: { name: sealed.n, arguments: sealed.a } }
    const hooks: CallHooks = {
      notify: () => undefined,
      request: async (method, params) => {
        if (!isInputMethod(method)) throw new ProtocolFault('INTERNAL', `${method} cannot be sent to a client of protocol ${meta.protocolVersion}.`)
        return (await task.input({ [method]: { method, params } }))[method]!
      },
      input: (requests) => task.input(requests),
      detach: () => undefined
    }
    this.deps.dispatcher.handle(session, req, hooks).then(
      (r) => settle(task, r, (x) => complete('tools/call', x)),
      (e: unknown) => settle(task, e instanceof ProtocolFault ? e.toRpc(req.id) : new ProtocolFault('INTERNAL', 'Internal error').toRpc(req.id), (x) => x)
    )
    return task
  }

  /** the answers of a re-sent request: those sealed in its requestState, then the new ones */
  private answersOf(req: RpcRequest, binding: Omit<MrtrState, 'a'>): InputResponses {
    const p = req.params ?? {}
    const given = p.inputResponses
    if (given !== undefined && (!isPlainObject(given) || Object.values(given).some((v) => !isPlainObject(v)))) {
      throw new ProtocolFault('INVALID_INPUT', 'Invalid params: inputResponses must be an object whose members are the result objects of the input requests.')
    }
    let answers: InputResponses = {}
    if (p.requestState !== undefined) {
      const st = this.deps.sealer.open('mrtr', p.requestState) as MrtrState
      binding.h ||= argsHash(p.arguments)
      if (st.m !== binding.m || st.p !== binding.p || st.n !== binding.n || st.h !== binding.h) throw new ProtocolFault('MCP_STATE_INVALID', 'The requestState belongs to another request (method, name, arguments or credential differ); send the request again without it.')
      answers = st.a
    }
    return { ...answers, ...(given as InputResponses | undefined) }
  }
}


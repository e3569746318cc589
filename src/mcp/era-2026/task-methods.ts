// tasks/get, tasks/update and tasks/cancel of the io.modelcontextprotocol/tasks extension, and how a
// tools/call becomes a task. Only for clients that declared the extension in their capabilities.
import { ProtocolFault, type InputResponses } from '../input.js'
import { RESULT_BYTES, rpcResult, type RpcRequest, type RpcResponse } from '../protocol.js'
import { TASKS_EXTENSION, type Task, type TaskStore } from './task-store.js'

export const TASK_METHODS = new Set(['tasks/get', 'tasks/update', 'tasks/cancel'])

/** whether the request's client declared the tasks extension */
export function declaresTasks(caps: Record<string, unknown>): boolean {
  const ext = (caps.extensions as Record<string, unknown> | undefined)?.[TASKS_EXTENSION]
  return typeof ext === 'object' && ext !== null
}

export const tasksRequired = (what: string) =>
  new ProtocolFault('MCP_CLIENT_CAPABILITY_MISSING', `${what} needs the ${TASKS_EXTENSION} extension; declare it in the client capabilities.`, { requiredCapabilities: { extensions: { [TASKS_EXTENSION]: {} } } })

/** the prefix of a sealed task handle (sealed-state.ts), told apart from a random task id */
const SEALED_TASK = 'v1.task.'

/**
 * One tasks/* request; throws ProtocolFault for an undeclared extension or an unknown task. A sealed
 * handle this process does not know goes to `revive` (which throws MCP_STATE_INVALID or
 * MCP_STATE_EXPIRED for a tampered or old one).
 */
export function taskMethod(store: TaskStore, req: RpcRequest, caps: Record<string, unknown>, owner = '', revive?: (taskId: string) => Task): RpcResponse {
  if (!declaresTasks(caps)) throw tasksRequired(req.method)
  const id = req.params?.taskId
  const found = store.get(id) ?? (revive && typeof id === 'string' && id.startsWith(SEALED_TASK) ? revive(id) : undefined)
  // another principal's task is answered as unknown: its id tells nobody else anything
  const task = found?.owner === owner ? found : undefined
  if (!task) throw new ProtocolFault('INVALID_INPUT', `Invalid params: no task ${JSON.stringify(req.params?.taskId ?? null)} (unknown, or expired).`)
  if (req.method === 'tasks/get') return rpcResult(req.id, { resultType: 'complete', ...task.detail() })
  if (req.method === 'tasks/update') {
    const r = req.params?.inputResponses
    if (typeof r !== 'object' || r === null || Array.isArray(r)) throw new ProtocolFault('INVALID_INPUT', 'Invalid params: inputResponses must be an object.')
    task.answer(r as InputResponses)
  } else task.cancel()
  return rpcResult(req.id, { resultType: 'complete' })
}

/** a finished call's response, recorded on its task */
export function settle(task: Task, response: RpcResponse | undefined, complete: (result: unknown) => unknown): void {
  if (task.terminal) return
  if (!response) return task.set('cancelled')
  if (response.error) {
    task.error = response.error
    return task.set('failed')
  }
  const done = complete(response.result) as { [RESULT_BYTES]?: string | Buffer }
  const bytes = done[RESULT_BYTES]
  task.result = bytes === undefined ? done : JSON.parse(bytes.toString())
  task.set('completed')
}

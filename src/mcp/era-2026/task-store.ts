// The tasks of the io.modelcontextprotocol/tasks extension (SEP-2663) this process runs: a long call the
// client polls with tasks/get, answers with tasks/update, stops with tasks/cancel. Bounded: at most
// MAX_TASKS, each kept TASK_TTL_MS after it was last touched.
import { randomUUID } from 'node:crypto'
import type { InputRequests, InputResponses } from '../input.js'
import type { ServerEvents } from '../server-events.js'

export const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks'
/** how long a task stays readable after its last change */
export const TASK_TTL_MS = 60 * 60_000
/** how often a client should poll, as advertised */
export const POLL_INTERVAL_MS = 500
const MAX_TASKS = 1000

export type TaskStatus = 'working' | 'input_required' | 'completed' | 'failed' | 'cancelled'
const TERMINAL = new Set<TaskStatus>(['completed', 'failed', 'cancelled'])

export class Task {
  constructor(readonly id: string = randomUUID()) {}

  readonly createdAt = new Date().toISOString()
  lastUpdatedAt = this.createdAt
  touched = Date.now()
  status: TaskStatus = 'working'
  result: unknown
  error: { code: number; message: string; data?: unknown } | undefined
  /** the input requests still unanswered, while input_required */
  pending: InputRequests = {}
  private answers: InputResponses = {}
  private waiter: { resolve: () => void; reject: (e: Error) => void } | undefined
  /** stops the running call */
  abort: () => void = () => undefined
  /** the principal that started it: nobody else may poll, answer or cancel it */
  owner = ''
  /** told of every status change (the store's listeners: notifications/tasks) */
  onStatus: ((t: Task) => void) | undefined

  get terminal(): boolean {
    return TERMINAL.has(this.status)
  }

  set(status: TaskStatus): void {
    if (this.terminal) return
    this.status = status
    this.lastUpdatedAt = new Date().toISOString()
    this.touched = Date.now()
    this.onStatus?.(this)
  }

  /** the answers to `requests`, waiting (input_required) until the client has sent every one */
  async input(requests: InputRequests): Promise<InputResponses> {
    for (;;) {
      const missing = Object.keys(requests).filter((k) => this.answers[k] === undefined)
      if (!missing.length) return Object.fromEntries(Object.keys(requests).map((k) => [k, this.answers[k]!]))
      this.pending = Object.fromEntries(missing.map((k) => [k, requests[k]!]))
      this.set('input_required')
      await new Promise<void>((resolve, reject) => (this.waiter = { resolve, reject }))
    }
  }

  /** tasks/update: answers for pending requests (others are ignored); the call resumes once none is pending */
  answer(responses: InputResponses): void {
    for (const [k, v] of Object.entries(responses)) {
      if (!(k in this.pending)) continue
      this.answers[k] = v
      delete this.pending[k]
    }
    this.touched = Date.now()
    if (this.status === 'input_required' && !Object.keys(this.pending).length) {
      this.set('working')
      const w = this.waiter
      this.waiter = undefined
      w?.resolve()
    }
  }

  cancel(): void {
    if (this.terminal) return
    this.set('cancelled')
    this.abort()
    this.waiter?.reject(new Error('task cancelled'))
    this.waiter = undefined
  }

  /** the DetailedTask of tasks/get */
  detail(): Record<string, unknown> {
    return {
      ...this.envelope(),
      ...(this.status === 'input_required' ? { inputRequests: this.pending } : {}),
      ...(this.status === 'completed' ? { result: this.result } : {}),
      ...(this.status === 'failed' ? { error: this.error } : {})
    }
  }

  envelope(): Record<string, unknown> {
    return { taskId: this.id, status: this.status, createdAt: this.createdAt, lastUpdatedAt: this.lastUpdatedAt, ttlMs: TASK_TTL_MS, pollIntervalMs: POLL_INTERVAL_MS }
  }
}

export class TaskStore {
  private readonly tasks = new Map<string, Task>()

  /** `onStatus` hears every status change of every task (a subscriptions/listen stream filters by id and owner) */
  constructor(private readonly onStatus?: (t: Task) => void) {}

  /** a new task; `id` is a sealed handle for a task that can run again (see ToolDef.rerunnable) */
  create(id?: string): Task {
    this.sweep()
    const t = new Task(id)
    t.onStatus = this.onStatus
    this.tasks.set(t.id, t)
    return t
  }

  get(id: unknown): Task | undefined {
    return typeof id === 'string' ? this.tasks.get(id) : undefined
  }

  private sweep(): void {
    const cutoff = Date.now() - TASK_TTL_MS
    for (const [id, t] of this.tasks) if (t.terminal && t.touched < cutoff) this.tasks.delete(id)
    // over the cap, the oldest finished tasks go first, then the oldest of all
    for (const [id, t] of this.tasks) if (this.tasks.size >= MAX_TASKS && t.terminal) this.tasks.delete(id)
    for (const [id, t] of this.tasks) {
      if (this.tasks.size < MAX_TASKS) break
      t.cancel()
      this.tasks.delete(id)
    }
  }
}

/** a task's status changes as announcements on the server's bus; built only while somebody listens */
export const taskAnnouncer = (events: ServerEvents) => (t: Task): void => {
  if (events.listening) events.emit({ kind: 'taskStatus', taskId: t.id, owner: t.owner, detail: t.detail() })
}

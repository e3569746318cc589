// What the server announces to listening clients: a resource changed, a list changed. One bus per
// process; the 2026 subscriptions/listen streams read it, and resource updates of the store come in here.
/**
 * `sessionsTold`: the 2025 sessions subscribed to the uri have been told already (by ResourceUpdates).
 * `chats`: the chats whose change moved a list resource, so a listener scoped to other chats hears nothing.
 * `owner` of a task status: the principal whose task it is, the only one that hears of it.
 */
export type ServerEvent =
  | { kind: 'resourceUpdated'; uri: string; sessionsTold?: true; chats?: readonly string[] }
  | { kind: 'listChanged'; list: 'tools' | 'prompts' | 'resources' }
  /** a task of the tasks extension changed status; `detail` is what tasks/get would answer now */
  | { kind: 'taskStatus'; taskId: string; owner: string; detail: Record<string, unknown> }

export class ServerEvents {
  private readonly listeners = new Set<(e: ServerEvent) => void>()

  /** `fn` sees every event from now on until the returned function is called */
  listen(fn: (e: ServerEvent) => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  emit(e: ServerEvent): void {
    for (const fn of this.listeners) fn(e)
  }

  get listening(): number {
    return this.listeners.size
  }
}

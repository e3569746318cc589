// The cancellation handle of one tool call. Most calls finish without anyone asking for their signal, and
// an AbortController (an EventTarget) costs more than a fast call itself, so the real one is made on demand.
export class CallAbort {
  aborted = false
  private controller?: AbortController

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController()
      if (this.aborted) this.controller.abort()
    }
    return this.controller.signal
  }

  private listeners: Array<() => void> | undefined

  /** `fn` runs once when the call is cancelled: the cheap way for a call that only needs to hear of it */
  onAbort(fn: () => void): void {
    if (this.aborted) fn()
    else (this.listeners ??= []).push(fn)
  }

  abort(): void {
    if (this.aborted) return
    this.aborted = true
    this.controller?.abort()
    for (const fn of this.listeners?.splice(0) ?? []) fn()
  }
}

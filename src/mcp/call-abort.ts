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

  // one listener is the usual case, held without an array: an array's first push reserves 17 slots, and ten
  // thousand waiting calls each hold their handle for minutes
  private listener: (() => void) | undefined
  private more: Array<() => void> | undefined

  /** `fn` runs once when the call is cancelled: the cheap way for a call that only needs to hear of it */
  onAbort(fn: () => void): void {
    if (this.aborted) fn()
    else if (!this.listener) this.listener = fn
    else (this.more ??= []).push(fn)
  }

  abort(): void {
    if (this.aborted) return
    this.aborted = true
    this.controller?.abort()
    const first = this.listener
    const rest = this.more
    this.listener = this.more = undefined
    first?.()
    for (const fn of rest ?? []) fn()
  }
}

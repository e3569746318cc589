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

  abort(): void {
    this.aborted = true
    this.controller?.abort()
  }
}

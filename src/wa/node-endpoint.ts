// comlink speaks the DOM's addEventListener; worker_threads ports speak on/off. This bridges the two.
import type { Endpoint } from 'comlink'

interface NodePort {
  postMessage(message: unknown, transfer?: readonly unknown[]): void
  on(event: 'message', listener: (data: unknown) => void): unknown
  off(event: 'message', listener: (data: unknown) => void): unknown
  start?: () => void
}

type Handler = ((e: { data: unknown }) => void) | { handleEvent(e: { data: unknown }): void }

export function nodeEndpoint(port: NodePort): Endpoint {
  const listeners = new WeakMap<object, (data: unknown) => void>()
  return {
    postMessage: (message: unknown, transfer?: unknown[]) => port.postMessage(message, transfer as never),
    addEventListener: (_type: string, handler: Handler) => {
      const l = (data: unknown): void => {
        if (typeof handler === 'function') handler({ data })
        else handler.handleEvent({ data })
      }
      port.on('message', l)
      listeners.set(handler, l)
    },
    removeEventListener: (_type: string, handler: Handler) => {
      const l = listeners.get(handler)
      if (!l) return
      port.off('message', l)
      listeners.delete(handler)
    },
    start: port.start?.bind(port)
  } as unknown as Endpoint
}

// Tiny DOM helpers: escaping for templates, element lookup, dates in the reader's locale (from ms).
export const esc = (v: unknown): string =>
  String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)

export const $ = <T extends HTMLElement = HTMLElement>(sel: string, root: ParentNode = document): T => {
  const el = root.querySelector<T>(sel)
  if (!el) throw new Error(`missing element ${sel}`)
  return el
}

/** API timestamps are unix milliseconds */
export function fmtTime(ms: number | null | undefined): string {
  if (!ms) return ''
  const d = new Date(ms)
  const today = new Date()
  return d.toDateString() === today.toDateString() ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : d.toLocaleDateString([], { year: 'numeric', month: 'short', day: 'numeric' })
}

export function fmtDateTime(ms: number | null | undefined): string {
  return ms ? new Date(ms).toLocaleString() : ''
}

export function debounce<A extends unknown[]>(fn: (...a: A) => void, ms: number): (...a: A) => void {
  let t: number | undefined
  return (...a: A) => {
    clearTimeout(t)
    t = window.setTimeout(() => fn(...a), ms)
  }
}

export function toast(message: string, kind: 'ok' | 'error' = 'ok'): void {
  const el = $('#toast')
  el.textContent = message
  el.className = `toast ${kind}`
  el.hidden = false
  window.setTimeout(() => (el.hidden = true), 4000)
}

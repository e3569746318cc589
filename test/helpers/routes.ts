// The server's own route table (logged once at start as "http routes"), as concrete requests: parameters
// and wildcards filled in, ANY routes tried with several methods. A route added to the app is in it.
import type { ServerProcess } from './server-process.js'

export interface ConcreteRoute {
  method: string
  /** the pattern as registered */
  pattern: string
  path: string
}

const ANY_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH']

/** every registered route with `:param` and `*` replaced by `fill` (a plausible value by default) */
export async function routeTable(server: ServerProcess, fill = (name: string) => (name === '*' ? 'x' : name === 'jid' ? '15550009999' : 'X1')): Promise<ConcreteRoute[]> {
  const line = await server.waitLog((l) => l.msg === 'http routes')
  // logged as one string (an array would be cut at the logger's 50 items)
  const listed = typeof line.routes === 'string' ? line.routes.split(', ') : (line.routes as string[])
  const entries = listed.map((r) => {
    const [method, pattern] = r.split(' ') as [string, string]
    return { method, pattern }
  })
  return entries.flatMap(({ method, pattern }) => {
    const path = pattern.replace(/:([a-z]+)/gi, (_m, n: string) => fill(n)).replace(/\*$/, fill('*'))
    const methods = method === 'ANY' ? ANY_METHODS : [method]
    return methods.map((m) => ({ method: m, pattern, path }))
  })
}

// Node 20 has no fs.globSync, which the MCP conformance CLI imports by name. Loaded with
// `node --import`, this redirects that CLI's `fs` import to a module that adds a small globSync.
import { register } from 'node:module'

register(
  'data:text/javascript,' +
    encodeURIComponent(`
const SHIM = ${JSON.stringify(new URL('./fs-with-globsync.mjs', import.meta.url).href)}
export async function resolve(specifier, context, next) {
  if ((specifier === 'fs' || specifier === 'node:fs') && context.parentURL && context.parentURL.includes('conformance') && !context.parentURL.startsWith(SHIM)) {
    return { url: SHIM, shortCircuit: true }
  }
  return next(specifier, context)
}`),
  import.meta.url
)

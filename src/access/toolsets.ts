// Which tools a caller may use: the toolsets MCP_TOOLSETS publishes, and within them the toolsets the
// caller's principal holds. Pure.
import { TOOLSETS, type Principal, type Toolset } from './principal.js'

/** MCP_TOOLSETS as a set: empty (the default) publishes every toolset */
export function publishedToolsets(configured: readonly Toolset[] | undefined): ReadonlySet<Toolset> {
  return new Set(configured?.length ? configured : TOOLSETS)
}

/** a tool's toolset; one that names none is the admin's, so a forgotten field never opens a tool to everyone */
export const toolsetOf = (def: { toolset?: Toolset }): Toolset => def.toolset ?? 'admin'

export function mayUse(p: Principal, toolset: Toolset): boolean {
  return p.toolsets === 'all' || p.toolsets.has(toolset)
}

/** a short key per distinct set of toolsets: principals with the same set share one rendered tools/list */
export function toolsetsKey(p: Principal): string {
  return p.toolsets === 'all' ? '*' : [...p.toolsets].sort().join(',')
}

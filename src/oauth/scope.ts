// OAuth scope values are the toolset names (principal.ts): a client asks for `read send`, the person at the
// consent page may grant fewer, and the token response names what was granted. Which chats a grant
// reaches is chosen on the consent page and has no scope value.
import { TOOLSETS, type Toolset } from '../access/principal.js'
import { oauthError } from './oauth-error.js'

/** the scope values published in the metadata documents */
export const SCOPES: readonly string[] = TOOLSETS

/** a scope parameter as toolsets; absent or empty means "let the person choose" (undefined). Throws OAUTH_INVALID_SCOPE. */
export function parseScope(scope: string | undefined): Toolset[] | undefined {
  if (scope === undefined || scope.trim() === '') return undefined
  const values = [...new Set(scope.trim().split(/ +/))]
  const unknown = values.filter((v) => !(TOOLSETS as readonly string[]).includes(v))
  if (unknown.length) throw oauthError('OAUTH_INVALID_SCOPE', `Unknown scope ${JSON.stringify(unknown[0]!.slice(0, 40))}; this server offers ${TOOLSETS.join(', ')}.`)
  return values as Toolset[]
}

/** toolsets in their canonical order, as a scope string */
export const scopeString = (toolsets: Iterable<Toolset>): string => {
  const set = new Set(toolsets)
  return TOOLSETS.filter((t) => set.has(t)).join(' ')
}

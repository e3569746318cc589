// The OAuth parts wired together from the configuration: one store, the client registry, the flows and
// the verifier /mcp consults. Built only when OAUTH_ENABLED is set.
import type { Config } from '../config/load-config.js'
import { oauthPath } from '../store/private-paths.js'
import { AuthorizationServer } from './authorization-server.js'
import { OAuthClients } from './clients.js'
import { oauthUrls, type OAuthUrls } from './metadata.js'
import { OAuthStore } from './oauth-store.js'
import { OAuthVerifier } from './oauth-verifier.js'

export interface OAuthService {
  urls: OAuthUrls
  store: OAuthStore
  clients: OAuthClients
  server: AuthorizationServer
  verifier: OAuthVerifier
}

/** undefined when OAuth is off; the config guarantees PUBLIC_BASE_URL and ADMIN_TOKEN when it is on */
export function createOAuth(config: Config): OAuthService | undefined {
  if (!config.OAUTH_ENABLED || !config.PUBLIC_BASE_URL) return undefined
  const urls = oauthUrls(config.PUBLIC_BASE_URL)
  const store = new OAuthStore(oauthPath(config.DATA_DIR), { accessMs: config.OAUTH_ACCESS_TOKEN_TTL_MS, refreshMs: config.OAUTH_REFRESH_TOKEN_TTL_MS })
  const clients = new OAuthClients({ store, allowPrivate: config.OAUTH_CLIENT_METADATA_ALLOW_PRIVATE, maxClients: config.OAUTH_MAX_CLIENTS })
  return { urls, store, clients, server: new AuthorizationServer(urls, clients, store, config.OAUTH_ACCESS_TOKEN_TTL_MS), verifier: new OAuthVerifier(store, urls.resource) }
}

import { defineTool, READ_ONLY } from '../tool.js'
import { authStatus, authStatusShape } from '../auth-view.js'

export const checkAuthStatus = defineTool({
  name: 'check_auth_status',
  toolset: 'account',
  description: 'Whether a WhatsApp account is linked and connected, the connection state, the own number, and the last disconnect.',
  input: {},
  output: authStatusShape,
  annotations: { title: 'Check WhatsApp link status', ...READ_ONLY },
  async run(_args, { services }) {
    return authStatus(services)
  }
})

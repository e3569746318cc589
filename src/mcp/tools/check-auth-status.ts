import { defineTool, READ_ONLY } from '../tool.js'
import { authStatus, authStatusShape } from '../auth-view.js'

export const checkAuthStatus = defineTool({
  name: 'check_auth_status',
  toolset: 'account',
  description: 'Whether WhatsApp is linked and connected: state, own number, last disconnect.',
  input: {},
  output: authStatusShape,
  annotations: { title: 'Check WhatsApp link status', ...READ_ONLY },
  async run(_args, { services }) {
    return authStatus(services)
  }
})

import { z } from 'zod'
import { defineTool } from '../tool.js'

export const forceResync = defineTool({
  name: 'force_resync',
  toolset: 'account',
  description: 'Soft recovery: resets WhatsApp app-state sync (contact names, archive, pin, mute) and syncs it again from the phone. Messages are untouched. Use it when names or chat flags look stale.',
  input: {},
  output: { started: z.boolean(), message: z.string() },
  annotations: { title: 'Force an app-state resync', readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async run(_a, { services }) {
    await services.wa.waitReady(services.config.WA_SEND_READY_WAIT_MS)
    await services.wa.call('forceResync')
    return { started: true, message: 'App-state resync done.' }
  }
})

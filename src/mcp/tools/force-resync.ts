import { z } from 'zod'
import { defineTool } from '../tool.js'

export const forceResync = defineTool({
  name: 'force_resync',
  toolset: 'account',
  description: 'Resyncs app state (contact names, archive, pin, mute) from the phone when names or chat flags look stale. Messages are untouched.',
  input: {},
  output: { started: z.boolean(), message: z.string() },
  annotations: { title: 'Force an app-state resync', readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async run(_a, { services }) {
    await services.wa.waitReady(services.config.WA_SEND_READY_WAIT_MS)
    await services.wa.call('forceResync')
    return { started: true, message: 'App-state resync done.' }
  }
})

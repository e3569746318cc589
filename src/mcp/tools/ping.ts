import { z } from 'zod'
import { defineTool, READ_ONLY } from '../tool.js'

export const ping = defineTool({
  name: 'ping',
  toolset: 'read',
  description: 'Checks that the server answers ("pong" and its time).',
  input: {},
  output: { reply: z.literal('pong'), time: z.number().describe('server time, unix ms') },
  annotations: { title: 'Ping', ...READ_ONLY },
  async run() {
    return { reply: 'pong' as const, time: Date.now() }
  }
})

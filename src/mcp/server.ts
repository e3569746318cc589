// Builds the MCP server of one session: every tool of the registry, with its schemas and annotations.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { AppError, toAppError } from '../errors/app-error.js'
import type { Services } from '../app/services.js'
import type { ToolDef } from './tool.js'
import { TOOLS } from './tools/index.js'

export const SERVER_INFO = { name: 'whatsapp-mcp-stream', version: '0.1.0' }

export function toolErrorResult(err: unknown) {
  const e = err instanceof AppError ? err : toAppError(err)
  return { isError: true, content: [{ type: 'text' as const, text: JSON.stringify({ error: e.toJSON() }) }] }
}

export function createMcpServer(services: Services, tools: readonly ToolDef[] = TOOLS): McpServer {
  const server = new McpServer(SERVER_INFO, {
    capabilities: { tools: { listChanged: false }, logging: {} },
    instructions: 'WhatsApp for one linked account: read, search and send messages and media. Tool errors carry a stable code; retryable ones say so.'
  })
  for (const tool of tools) {
    server.registerTool(
      tool.name,
      { title: tool.annotations.title, description: tool.description, inputSchema: tool.input, outputSchema: tool.output, annotations: tool.annotations },
      async (args: unknown, extra: { signal: AbortSignal }) => {
        try {
          const result = await tool.run(args as never, { services, signal: extra.signal })
          const extraContent = tool.render ? await tool.render(result as never) : []
          return { content: [{ type: 'text' as const, text: JSON.stringify(result) }, ...extraContent], structuredContent: result as Record<string, unknown> }
        } catch (err) {
          if (!(err instanceof AppError)) services.log.error({ err, tool: tool.name }, 'tool failed unexpectedly')
          return toolErrorResult(err)
        }
      }
    )
  }
  return server
}

// Baseline: what a typical SDK-based server does. The MCP SDK's McpServer + StreamableHTTPServerTransport
// on node:http, stateful sessions, JSON replies, one ping tool.
import { createServer, type IncomingMessage } from 'node:http'
import { randomUUID } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { z } from 'zod'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'

const transports = new Map<string, StreamableHTTPServerTransport>()

function body(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : undefined))
  })
}

const server = createServer(async (req, res) => {
  const parsed = req.method === 'POST' ? await body(req) : undefined
  const sid = req.headers['mcp-session-id'] as string | undefined
  let transport = sid ? transports.get(sid) : undefined
  if (!transport) {
    transport = new StreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID(), enableJsonResponse: true, onsessioninitialized: (id) => void transports.set(id, transport!) })
    const mcp = new McpServer({ name: 'sdk-baseline', version: '1.0.0' })
    mcp.registerTool('ping', { description: 'ping', inputSchema: {}, outputSchema: { reply: z.literal('pong'), time: z.number() } }, async () => {
      const out = { reply: 'pong' as const, time: Date.now() }
      return { content: [{ type: 'text', text: JSON.stringify(out) }], structuredContent: out }
    })
    await mcp.connect(transport)
  }
  await transport.handleRequest(req, res, parsed)
})
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`))

// The headers a route sees, read by name from the real uWS request and from the node:http fallback alike:
// any spelling of a name, the first of a repeated header, an empty value as absent, and only the names read.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import uws, { type us_listen_socket } from '../../src/http/uws.js'
import { nodeHttpUws } from '../../src/http/uws-node-fallback.js'
import { readHeaders, REQUEST_HEADERS } from '../../src/http/request-headers.js'

/** one request written byte for byte (fetch would fold repeated headers and refuse some names), answered as its body */
function send(port: number, head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(`GET /h HTTP/1.1\r\n${head}Connection: close\r\n\r\n`))
    let text = ''
    s.on('data', (d: Buffer) => (text += d.toString('latin1')))
    s.on('end', () => resolve(text.slice(text.indexOf('\r\n\r\n') + 4)))
    s.on('error', reject)
  })
}

type Route = (res: { end(body: string): unknown }, req: { getHeader(key: Uint8Array): string }) => void
interface Listening {
  port: number
  close(): void
}

/** the one route on a real uWS app, or on the fallback's */
const SERVERS: Array<{ name: string; serve(route: Route): Promise<Listening> }> = [
  {
    name: 'uWS',
    serve: (route) => new Promise((resolve, reject) => {
      const app = uws.App().get('/h', route)
      app.listen('127.0.0.1', 0, (s: us_listen_socket | false) => (s ? resolve({ port: uws.us_socket_local_port(s), close: () => uws.us_listen_socket_close(s) }) : reject(new Error('listen'))))
    })
  },
  {
    name: 'node:http fallback',
    serve: (route) => new Promise((resolve, reject) => {
      const app = nodeHttpUws.App()
      app.get('/h', route as never)
      app.listen('127.0.0.1', 0, (s) => (s ? resolve({ port: nodeHttpUws.us_socket_local_port(s), close: () => nodeHttpUws.us_listen_socket_close(s) }) : reject(new Error('listen'))))
    })
  }
]

for (const server of SERVERS) {
  test(`${server.name}: the route sees the headers it reads, by name, whatever their spelling`, async () => {
    const listening = await server.serve((res, req) => void res.end(JSON.stringify(readHeaders(req))))
    try {
      const seen = JSON.parse(
        await send(
          listening.port,
          [
            'Host: a.example',
            'MCP-Protocol-Version: 2026-07-28',
            'mcp-method: tools/call',
            'Mcp-Name: =?base64?cGluZw==?=',
            'Authorization: Bearer first',
            'authorization: Bearer second',
            'Origin:',
            'X-Not-Read: kept out',
            ''
          ].join('\r\n')
        )
      ) as Record<string, string>
      assert.deepEqual(seen, { host: 'a.example', authorization: 'Bearer first', 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': '=?base64?cGluZw==?=' })
      // every name the list holds is one uWS can find: lower case, as it stores them
      for (const n of REQUEST_HEADERS) assert.equal(n, n.toLowerCase())
    } finally {
      listening.close()
    }
  })
}

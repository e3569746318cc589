// Baseline: the limit of this machine's HTTP path. uWebSockets.js answering POST /mcp with a fixed JSON
// body the size of a ping result, reading the body first like a real server must. RAW_BODY_FILE makes the
// body that file's bytes instead: a big reply, a page of messages, compared with the very same bytes on the
// wire (their content matters too: the load generator decodes every body as UTF-8, and text that is not
// all ASCII decodes several times slower).
import { readFileSync } from 'node:fs'
import uws from '../../src/http/uws.js'

const PING = JSON.stringify({ jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: '{"reply":"pong","time":1795526000000}' }], structuredContent: { reply: 'pong', time: 1795526000000 } } })
const BODY = process.env.RAW_BODY_FILE ? readFileSync(process.env.RAW_BODY_FILE) : PING
const app = uws.App()
app.post('/mcp', (res) => {
  let aborted = false
  res.onAborted(() => (aborted = true))
  res.onData((_chunk, last) => {
    if (last && !aborted) res.cork(() => res.writeStatus('200 OK').writeHeader('content-type', 'application/json').end(BODY))
  })
})
app.listen('127.0.0.1', 0, (s) => {
  if (!s) process.exit(1)
  process.stdout.write(`${JSON.stringify({ port: uws.us_socket_local_port(s) })}\n`)
})

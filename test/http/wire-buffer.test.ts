// Replies share one long-lived buffer: this holds only if uWS copies what a socket cannot take before end()
// returns. A client that stops reading makes uWS keep megabytes of its replies while other replies overwrite
// the buffer; every byte it reads afterwards must still be its own.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import uws, { type us_listen_socket } from '../../src/http/uws.js'
import { wireBody } from '../../src/http/wire-buffer.js'

// small enough for the shared buffer (see MAX_KEPT); 32 of them outgrow what the kernel buffers for a socket
const BODY_CHARS = 300_000
const FILLS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345'

test('a stalled client still reads its own bytes after other replies reused the buffer', async () => {
  const app = uws.App()
  app.get('/fill/:c', (res, req) => {
    const c = req.getParameter(0)!
    // a string in three parts, as an MCP reply is laid out
    res.cork(() => res.end(wireBody(['<', c.repeat(BODY_CHARS), '>'])))
  })
  let listen: us_listen_socket | undefined
  const port = await new Promise<number>((resolve, reject) => app.listen('127.0.0.1', 0, (s) => (s ? resolve(uws.us_socket_local_port((listen = s))) : reject(new Error('listen')))))
  try {
    // pipelined requests, none read yet: about 10 MB of replies, more than the kernel buffers, so uWS holds the rest
    const stalled = connect(port, '127.0.0.1')
    await new Promise((r) => stalled.once('connect', r))
    stalled.pause()
    const digits = FILLS
    stalled.write([...digits].map((d) => `GET /fill/${d} HTTP/1.1\r\nHost: x\r\n\r\n`).join(''))
    await new Promise((r) => setTimeout(r, 200))
    // meanwhile other replies overwrite the shared buffer with other letters
    for (let i = 0; i < 40; i++) assert.equal((await (await fetch(`http://127.0.0.1:${port}/fill/z`)).text()).length, BODY_CHARS + 2)
    // every reply ends with '>', which no header holds: read until all of them are in (or the socket ends)
    const chunks: Buffer[] = []
    let ends = 0
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 20_000)
      const done = () => {
        clearTimeout(t)
        resolve()
      }
      stalled.on('data', (d: Buffer) => {
        chunks.push(d)
        for (const byte of d) if (byte === 0x3e) ends++
        if (ends >= digits.length) done()
      })
      stalled.once('close', done)
      stalled.resume()
    })
    stalled.destroy()
    const text = Buffer.concat(chunks).toString('latin1')
    const bodies = [...text.matchAll(/<([^>]*)>/g)].map((m) => m[1]!)
    assert.equal(bodies.length, digits.length, 'every pipelined reply arrived whole')
    bodies.forEach((b, i) => assert.ok(b.length === BODY_CHARS && !b.replace(new RegExp(digits[i]!, 'g'), ''), `reply ${i} holds only its own bytes`))
  } finally {
    if (listen) uws.us_listen_socket_close(listen)
  }
})

// Task status notifications (notifications/tasks on a subscriptions/listen stream): a listener hears every
// status change of its own tasks with what tasks/get would answer, is never agreed to another credential's
// task or a made-up id, and a client without the tasks extension is refused. Real HTTP, real server.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServerProcess, type ServerProcess } from '../../helpers/server-process.js'

const V = '2026-07-28'
const A = 'wms_firsttaskstatuslistenercredential_01'
const B = 'wms_secondtaskstatuslistenercredential_2'
const TASKS = { extensions: { 'io.modelcontextprotocol/tasks': {} } }
let server: ServerProcess
let id = 1

const request = (token: string, method: string, params: Record<string, unknown>, caps: Record<string, unknown>, accept: string) => {
  const name = method === 'tools/call' ? params.name : method.startsWith('tasks/') ? params.taskId : undefined
  return fetch(`${server.url}/mcp`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept, 'mcp-protocol-version': V, 'mcp-method': method, ...(name ? { 'mcp-name': String(name) } : {}) },
    body: JSON.stringify({ jsonrpc: '2.0', id: id++, method, params: { ...params, _meta: { 'io.modelcontextprotocol/protocolVersion': V, 'io.modelcontextprotocol/clientCapabilities': caps } } })
  })
}

const post = async (token: string, method: string, params: Record<string, unknown>, caps: Record<string, unknown> = TASKS) => {
  const r = await request(token, method, params, caps, 'application/json')
  return { status: r.status, body: (await r.json()) as Record<string, any> }
}

/** a listen stream's messages as they come */
async function listen(token: string, notifications: Record<string, unknown>) {
  const r = await request(token, 'subscriptions/listen', { notifications }, TASKS, 'application/json, text/event-stream')
  assert.equal(r.status, 200)
  const reader = r.body!.getReader()
  const decoder = new TextDecoder()
  const seen: Array<Record<string, any>> = []
  let buf = ''
  const pump = (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }))
      if (done) return
      buf += decoder.decode(value, { stream: true })
      let i: number
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const data = buf.slice(0, i).split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n')
        buf = buf.slice(i + 2)
        if (data) seen.push(JSON.parse(data) as Record<string, any>)
      }
    }
  })()
  const next = async (pred: (m: Record<string, any>) => boolean, ms = 10_000) => {
    const end = Date.now() + ms
    for (;;) {
      const m = seen.find(pred)
      if (m) return m
      if (Date.now() > end) throw new Error(`no such message; saw ${JSON.stringify(seen)}`)
      await new Promise((res) => setTimeout(res, 20))
    }
  }
  return { seen, next, close: () => reader.cancel().then(() => pump) }
}

before(async () => {
  const creds = [A, B].map((token, i) => ({ name: `t${i}`, token, toolsets: ['admin', 'read'] }))
  server = await startServerProcess(undefined, { WA_WS_URL: 'ws://127.0.0.1:9/ws', MCP_CONFORMANCE_FIXTURES: 'true', MCP_CREDENTIALS: JSON.stringify(creds) })
})

after(async () => {
  await server?.stop()
})

test('a listener hears its own task complete, with the result tasks/get gives; others are not agreed to', async () => {
  const mine = (await post(A, 'tools/call', { name: 'slow_compute', arguments: { seconds: 1, label: 'heard' } })).body.result
  const theirs = (await post(B, 'tools/call', { name: 'slow_compute', arguments: { seconds: 1 } })).body.result
  assert.equal(mine.resultType, 'task')
  const l = await listen(A, { taskIds: [mine.taskId, theirs.taskId, 'made-up'] })
  try {
    const ack = await l.next((m) => m.method === 'notifications/subscriptions/acknowledged')
    assert.deepEqual(ack.params.notifications.taskIds, [mine.taskId])
    const done = await l.next((m) => m.method === 'notifications/tasks' && m.params.status === 'completed')
    assert.equal(done.params.taskId, mine.taskId)
    assert.match(done.params.result.content[0].text, /computed heard after 1s/)
    assert.equal(done.params._meta['io.modelcontextprotocol/subscriptionId'], ack.params._meta['io.modelcontextprotocol/subscriptionId'])
    const { resultType, ...polled } = (await post(A, 'tasks/get', { taskId: mine.taskId })).body.result
    const { _meta, ...announced } = done.params
    assert.equal(resultType, 'complete')
    assert.deepEqual(announced, polled)
    // B's task settles too; A's stream never carries it
    await new Promise((res) => setTimeout(res, 1500))
    assert.equal(l.seen.filter((m) => m.method === 'notifications/tasks' && m.params.taskId === theirs.taskId).length, 0)
  } finally {
    await l.close()
  }
})

test('a cancelled task is announced as cancelled', async () => {
  const t = (await post(A, 'tools/call', { name: 'slow_compute', arguments: { seconds: 60 } })).body.result
  const l = await listen(A, { taskIds: [t.taskId] })
  try {
    await l.next((m) => m.method === 'notifications/subscriptions/acknowledged')
    await post(A, 'tasks/cancel', { taskId: t.taskId })
    const n = await l.next((m) => m.method === 'notifications/tasks')
    assert.equal(n.params.status, 'cancelled')
  } finally {
    await l.close()
  }
})

test('asking for task notifications without the tasks extension is -32021 naming it; a non-array is -32602', async () => {
  const r = await request(A, 'subscriptions/listen', { notifications: { taskIds: ['x'] } }, {}, 'application/json, text/event-stream')
  const body = (await r.json()) as Record<string, any>
  assert.equal(body.error.code, -32021)
  assert.deepEqual(body.error.data.requiredCapabilities, { extensions: { 'io.modelcontextprotocol/tasks': {} } })
  const bad = await request(A, 'subscriptions/listen', { notifications: { taskIds: 'x' } }, TASKS, 'application/json, text/event-stream')
  assert.equal(((await bad.json()) as Record<string, any>).error.code, -32602)
})

// The waiting calls' registry: one timer serves every deadline in order, a removed waiter never expires,
// a chat's message wakes only its waiters, progress ticks reach only the waiters that asked, and the caps hold.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { MessageWaiters, type Waiter } from '../../src/mcp/message-waiters.js'

function waiter(log: string[], name: string, opts: { chat?: string; inMs: number; progress?: boolean; caller?: object }, reg: () => MessageWaiters): Waiter {
  const w: Waiter = {
    slot: -1,
    chat: opts.chat,
    caller: opts.caller ?? {},
    deadline: Date.now() + opts.inMs,
    progress: !!opts.progress,
    wake: () => log.push(`wake ${name}`),
    expire: () => {
      log.push(`expire ${name}`)
      reg().remove(w)
    },
    tick: () => log.push(`tick ${name}`)
  }
  return w
}

test('deadlines expire in their order from one timer; a removed waiter never expires', async () => {
  const log: string[] = []
  const reg = new MessageWaiters()
  const ws = [['c', 90], ['a', 30], ['d', 120], ['b', 60], ['gone', 45]].map(([n, ms]) => waiter(log, n as string, { inMs: ms as number }, () => reg))
  for (const w of ws) reg.add(w)
  reg.remove(ws[4]!)
  assert.equal(reg.size, 4)
  await new Promise((r) => setTimeout(r, 200))
  assert.deepEqual(log, ['expire a', 'expire b', 'expire c', 'expire d'])
  assert.equal(reg.size, 0)
})

test('a message wakes the waiters of its chat and those on any chat, nobody else', () => {
  const log: string[] = []
  const reg = new MessageWaiters()
  for (const [n, chat] of [['ada', 'a@s'], ['bob', 'b@s'], ['any', undefined]] as const) reg.add(waiter(log, n, { chat, inMs: 60_000 }, () => reg))
  reg.wake(['a@s'])
  assert.deepEqual(log.sort(), ['wake ada', 'wake any'])
  assert.equal(reg.woken, 2)
})

test('progress ticks go to the waiters with a progress token, on one interval', async () => {
  const log: string[] = []
  const reg = new MessageWaiters(32, 100, 20)
  const p = waiter(log, 'p', { inMs: 60_000, progress: true }, () => reg)
  reg.add(p)
  reg.add(waiter(log, 'q', { inMs: 60_000 }, () => reg))
  for (let i = 0; i < 200 && log.length < 2; i++) await new Promise((r) => setTimeout(r, 10))
  reg.remove(p)
  const ticks = log.length
  assert.ok(ticks >= 2 && log.every((l) => l === 'tick p'), log.join())
  await new Promise((r) => setTimeout(r, 50))
  assert.equal(log.length, ticks, 'no ticks once no waiter wants them')
})

test('a caller may hold so many waits, the server so many in all', () => {
  const reg = new MessageWaiters(2, 3)
  const me = {}
  reg.add(waiter([], '1', { inMs: 60_000, caller: me }, () => reg))
  reg.add(waiter([], '2', { inMs: 60_000, caller: me }, () => reg))
  assert.throws(() => reg.add(waiter([], '3', { inMs: 60_000, caller: me }, () => reg)), /At most 2/)
  reg.add(waiter([], '4', { inMs: 60_000 }, () => reg))
  assert.throws(() => reg.add(waiter([], '5', { inMs: 60_000 }, () => reg)), /too many waiting/)
})

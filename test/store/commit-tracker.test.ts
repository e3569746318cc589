import { test } from 'node:test'
import assert from 'node:assert/strict'
import { CommitTracker } from '../../src/store/commit-tracker.js'
import { AppError } from '../../src/errors/app-error.js'

const settled = async (p: Promise<unknown>): Promise<string> => {
  const r = await Promise.race([p.then(() => 'resolved', (e: unknown) => `rejected ${(e as AppError).code}`), new Promise((res) => setTimeout(() => res('pending'), 20))])
  return r as string
}

test('a waiter resolves once its generation has committed its batch, not before, and not for another generation', async () => {
  const t = new CommitTracker()
  const w = t.wait(1, 3)
  t.pushed(1, 3)
  t.committed(1, 2)
  assert.equal(await settled(w), 'pending')
  t.committed(2, 5)
  assert.equal(await settled(w), 'pending', 'a later worker counts on its own')
  t.committed(1, 3)
  assert.equal(await settled(w), 'resolved')
  assert.equal(await settled(t.wait(1, 1)), 'resolved', 'already committed')
})

test('a batch a dead worker never handed over fails its waiter with WA_WORKER_CRASHED; one that did arrive still commits', async () => {
  const t = new CommitTracker()
  t.pushed(1, 4)
  const never = t.wait(1, 7)
  const arrived = t.wait(1, 4)
  t.workerGone(1)
  assert.equal(await settled(never), 'pending', 'batches 1..4 are still in the queue')
  t.committed(1, 4)
  assert.equal(await settled(arrived), 'resolved')
  assert.equal(await settled(never), 'rejected WA_WORKER_CRASHED')
})

test('a commit that does not come in time is STORE_UNAVAILABLE; advances are announced', async () => {
  const t = new CommitTracker()
  const heard: Array<[number, number]> = []
  t.onAdvance((g, s) => heard.push([g, s]))
  assert.equal(await settled(t.wait(3, 1, 5)), 'rejected STORE_UNAVAILABLE')
  t.committed(3, 2)
  t.committed(3, 1)
  assert.deepEqual(heard, [[3, 2]], 'only advances')
})

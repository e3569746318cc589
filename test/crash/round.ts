// What every crash round shares: its seeded randomness, its result, and the helpers that wait and sleep.

/** the three loads a round can put on the server when it is killed */
export type ScenarioKind = 'receive' | 'send' | 'history'

/** a small seeded PRNG (mulberry32): the same seed gives the same kill moments and loads */
export class Rng {
  private s: number
  constructor(seed: number) {
    this.s = seed >>> 0
  }
  /** in [0, 1) */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0
    let t = this.s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  /** an integer in [lo, hi] */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1))
  }
}

/** one round's seed from the run's seed: a round can be replayed alone */
export const roundSeed = (seed: number, round: number): number => (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(round + 1, 0xc2b2ae35)) >>> 0

/** what a round measured; every count is of distinct messages */
export interface RoundResult {
  round: number
  kind: ScenarioKind
  seed: number
  /** what the kill interrupted, for the round's line (e.g. "after 812 ms", "after hist ack 17") */
  killedAt: string
  kills: number
  /** receive: messages the people sent / acknowledged by the server before the kill / stored in the end */
  sent?: number
  acknowledged?: number
  /** acknowledged before the kill and not in the store right after it */
  ackedLost?: number
  stored?: number
  /** sent and never stored with its content (not at all, or only as an undecrypted stub), after the restart settled */
  lost?: number
  /** send: calls that answered success, and of those (and the retried ones) missing from store or recipient */
  reported?: number
  retried?: number
  sendsMissing?: number
  duplicated?: number
  /** history: messages in the history, stored when the kill came, complete after the restart */
  history?: number
  storedAtKill?: number
  historyComplete?: boolean
  /** decrypt failures logged by the server or the emulator, and how many of them the message later healed */
  decryptFailures: number
  decryptHealed: number
  /** undecrypted stubs left in the store for messages that were sent */
  stubs?: number
  /** of the losses above, those a failed decryption explains (never stored, or never reached the recipient) */
  decryptLosses?: number
  ms: number
  /** what went wrong, in words, when something did */
  problems: string[]
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** a problem that a decrypt failure explains (a retry receipt is what heals it), told apart by this prefix */
export const DECRYPT = 'decrypt: '

/**
 * Polls `progress` (a count that grows) until `done`, or until it has not moved for `quietMs` while
 * `stuck()` says why it cannot (a failed decryption nobody retries), or until `ms` passed.
 */
export async function settleOrStall(progress: () => number, done: (n: number) => boolean, stuck: () => boolean, ms: number, quietMs: number): Promise<boolean> {
  const end = Date.now() + ms
  let last = -1
  let since = Date.now()
  for (;;) {
    const n = progress()
    if (done(n)) return true
    if (n !== last) {
      last = n
      since = Date.now()
    } else if (Date.now() - since >= quietMs && stuck()) return false
    if (Date.now() >= end) return false
    await sleep(250)
  }
}

/** polls `fn` until it is true or `ms` passed; says which */
export async function settle(fn: () => boolean | Promise<boolean>, ms: number, everyMs = 100): Promise<boolean> {
  const end = Date.now() + ms
  for (;;) {
    if (await fn()) return true
    if (Date.now() >= end) return false
    await sleep(everyMs)
  }
}

// Baileys' list of each contact's devices, kept with the Signal keys so that a restart does not lose it.
// Baileys keeps the list in memory only; on a miss it asks WhatsApp for the contact's devices again, and when
// the answer names the contact's LID it replaces our session with the contact by a new one built from a
// fresh pre-key bundle. Every start thus rebuilt the session with each contact on the first send (two, for
// a contact written to in 1:1 and in a group), spending one of the contact's one-time pre-keys each time,
// while the contact might still be writing on the older session: that churn is what exposed the decrypt
// bug fixed in signal-trial-decrypt.ts. With the list on disk, a restart within its lifetime changes nothing.
// Baileys updates it itself on device notifications; entries older than the TTL are fetched again, as
// Baileys' own cache would.
import type { CacheStore, SignalDataTypeMap, SignalKeyStore } from '@whiskeysockets/baileys'

/** how long a contact's device list is used after it was fetched: the TTL of Baileys' in-memory cache */
export const DEVICE_LIST_TTL_MS = 5 * 60_000

/** the auth store's key type the lists are kept under (not one of Baileys' own) */
const TYPE = 'device-cache' as keyof SignalDataTypeMap

interface Entry {
  at: number
  devices: unknown
}

export type DeviceCache = CacheStore & {
  mget<T>(keys: string[]): Promise<Record<string, T | undefined>>
  mset<T>(entries: Array<{ key: string; value: T }>): Promise<void>
}

/**
 * A cache for Baileys' `userDevicesCache` over the auth store's keys: reads come from memory, or from the
 * store after a restart; writes go to both (committed with the keys). `now` is for tests.
 */
export function deviceCache(keys: SignalKeyStore, ttlMs = DEVICE_LIST_TTL_MS, now: () => number = Date.now): DeviceCache {
  const memory = new Map<string, Entry>()
  let flushedAt = 0
  const fresh = (e: Entry | undefined): e is Entry => !!e && e.at > flushedAt && now() - e.at < ttlMs

  async function lookup(ids: string[]): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {}
    const missing: string[] = []
    for (const id of ids) {
      const e = memory.get(id)
      if (fresh(e)) out[id] = e.devices
      else missing.push(id)
    }
    if (!missing.length) return out
    const stored = (await keys.get(TYPE, missing)) as unknown as Record<string, Entry | undefined>
    for (const id of missing) {
      const e = stored[id]
      if (!fresh(e)) continue
      memory.set(id, e)
      out[id] = e.devices
    }
    return out
  }

  async function write(entries: Array<{ key: string; value: unknown }>): Promise<void> {
    const at = now()
    const data: Record<string, Entry> = {}
    for (const { key, value } of entries) {
      const e = { at, devices: value }
      memory.set(key, e)
      data[key] = e
    }
    await keys.set({ [TYPE]: data } as never)
  }

  return {
    async get<T>(key: string): Promise<T> {
      return (await lookup([key]))[key] as T
    },
    async set<T>(key: string, value: T): Promise<void> {
      await write([{ key, value }])
    },
    async del(key: string): Promise<void> {
      memory.delete(key)
      await keys.set({ [TYPE]: { [key]: null } } as never)
    },
    flushAll(): void {
      // what is on disk stays, but nothing written before now is used again
      memory.clear()
      flushedAt = now()
    },
    async mget<T>(ids: string[]): Promise<Record<string, T | undefined>> {
      return (await lookup(ids)) as Record<string, T | undefined>
    },
    mset: (entries) => write(entries)
  }
}

// Baileys says that app-state sync is broken only in log lines; this turns them into recovery signals.
// Pure: one log call in, at most one signal out.
import type { WaRecoverySignal } from '../../src/wa/worker-api.js'

export function classifyBaileysLog(args: unknown[]): WaRecoverySignal | undefined {
  let text = ''
  let detail = ''
  for (const a of args) {
    if (typeof a === 'string') text += `${a} `
    else if (a && typeof a === 'object') {
      const err = (a as { error?: unknown; err?: unknown }).error ?? (a as { err?: unknown }).err
      // Baileys logs error.stack as a string; other callers pass the Error itself
      if (err) detail += typeof err === 'string' ? `${err} ` : `${(err as Error).message ?? ''} ${(err as Error).stack ?? ''} `
      const name = (a as { name?: unknown }).name
      if (typeof name === 'string') text += `${name} `
    }
  }
  const all = `${text} ${detail}`
  const collection = /\b(critical_block|critical_unblock_low|regular_high|regular_low|regular)\b/.exec(all)?.[1]
  // "<name> blocked on missing key from vN", with "failed to find key ... to decode mutation" in the error
  if (/failed to find key .* to decode (mutation|patch)/.test(all) || /blocked on missing key/.test(text)) {
    return { kind: 'app-state-key-missing', collection, detail: all.trim().slice(0, 300), at: Date.now() }
  }
  if (/failed to sync .* from v\d+/.test(text) || /failed to sync state from version/.test(all)) {
    return { kind: 'app-state-sync-failed', collection, detail: all.trim().slice(0, 300), at: Date.now() }
  }
  return undefined
}

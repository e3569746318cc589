// What the session lends each concern (sending, media, groups, chats, account, message actions): the
// socket when it is ready, the account's own JIDs, stored raw messages, and the store hand-over.
import type { WASocket, WAMessage } from '@whiskeysockets/baileys'
import type { Logger } from 'pino'
import type { StoreBatch } from '../../src/store/batch.js'
import type { SendResult } from '../../src/wa/worker-api.js'
import type { Me } from './normalize.js'

export interface WaHost {
  /** the open socket; WA_NOT_LINKED or the retryable WA_NOT_READY otherwise */
  ready(): WASocket
  me(): Me
  /** the raw message, for quoting, retries, forwards and media download (memory first, then the store) */
  rawMessage(chatJid: string, id: string): WAMessage | undefined
  /** stores what Baileys returned for a send, once its frame has left; WA_SEND_FAILED when it cannot */
  sent(msg: WAMessage | undefined): Promise<SendResult>
  /** hands a batch to the store now; returns the number of the batch that carries it */
  store(b: StoreBatch): number
  /** the number of the last batch handed to the store */
  seq(): number
  readonly log: Logger
}

/** the status of a failed Baileys call: an iq's error code (Baileys keeps it as the Boom's data), else Boom's HTTP status */
export const statusCodeOf = (err: unknown): number | undefined => {
  const e = err as { output?: { statusCode?: number }; data?: unknown } | undefined
  return typeof e?.data === 'number' ? e.data : e?.output?.statusCode
}

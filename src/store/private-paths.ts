// Which files and folders only this user may read, and the mode arithmetic. Pure: no fs here, the shell
// that applies it is private-files.ts.
import type { Config } from '../config/load-config.js'
import { dirname, isAbsolute, join, relative } from 'node:path'

/** auth state, store, settings, idempotency keys, logs, dead letters */
export const FILE_MODE = 0o600
/** their folders, and MEDIA_DIR (see privatePaths) */
export const DIR_MODE = 0o700

/** the files SQLite keeps next to a database: its mode is copied from the database file's */
export const SQLITE_COMPANIONS = ['-wal', '-shm', '-journal'] as const

/** whether `mode` lets anyone do more than `wanted` allows */
export const looserThan = (mode: number, wanted: number): boolean => (mode & 0o777 & ~wanted) !== 0

/** `mode` with what `wanted` does not allow taken away: tightening never grants a bit */
export const tightened = (mode: number, wanted: number): number => mode & 0o777 & wanted

export type PrivatePathsConfig = Pick<Config, 'DATA_DIR' | 'SESSION_DIR' | 'MEDIA_DIR' | 'DB_PATH' | 'AUTH_DB_PATH' | 'SETTINGS_PATH' | 'WA_EVENT_STREAM_PATH'>

export interface PrivatePaths {
  /** folders made if missing, 0700 */
  dirs: string[]
  /** folders tightened when they exist (made by the part that writes into them) */
  laterDirs: string[]
  /** SQLite databases: each tightened with its companions when it exists */
  databases: string[]
  /** single files tightened when they exist */
  files: string[]
}

/** the idempotency store's file (the main thread's own SQLite file) */
export const idempotencyPath = (dataDir: string): string => join(dataDir, 'idempotency.sqlite')
/** the webhook outbox (the main thread's own SQLite file; it holds message texts) */
export const webhooksPath = (dataDir: string): string => join(dataDir, 'webhooks.sqlite')
/** the scoped credentials (token digests) and the per-chat policy (the main thread's own SQLite file) */
export const accessPath = (dataDir: string): string => join(dataDir, 'access.sqlite')
/** the audit trail (the main thread's own SQLite file; append-only) */
export const auditPath = (dataDir: string): string => join(dataDir, 'audit.sqlite')
/** the sends pacing let through, and when each account was first linked (the main thread's own SQLite file) */
export const pacingPath = (dataDir: string): string => join(dataDir, 'pacing.sqlite')
/** the outbox: scheduled and paced sends (the main thread's own SQLite file; it holds message texts) */
export const outboxPath = (dataDir: string): string => join(dataDir, 'outbox.sqlite')
/** the approval requests and their decisions (the main thread's own SQLite file; it holds message texts) */
export const approvalsPath = (dataDir: string): string => join(dataDir, 'approvals.sqlite')
/** OAuth clients, grants and token digests (OAUTH_ENABLED) */
export const oauthPath = (dataDir: string): string => join(dataDir, 'oauth.sqlite')
/** the key that signs event cursors */
export const cursorKeyPath = (dataDir: string): string => join(dataDir, 'cursor.key')
/** the key that signs /media links */
export const mediaLinkKeyPath = (sessionDir: string): string => join(sessionDir, 'media-link.key')
/** where failed store batches are set aside */
export const deadLetterDir = (dataDir: string): string => join(dataDir, 'dead-letter')

/**
 * Everything private under a configuration. MEDIA_DIR is in `dirs` too: "public" means the `/media`
 * route, which this process serves with its own checks; no other user of the machine has any business in
 * the media of private chats, and a 0700 folder closes every file beneath it without a mode of its own.
 */
export function privatePaths(c: PrivatePathsConfig): PrivatePaths {
  // a file configured elsewhere (DB_PATH=/srv/shared/store.sqlite) keeps its folder as it is: that folder
  // is not ours to close
  const ours = (dir: string): boolean => [c.DATA_DIR, c.SESSION_DIR, c.MEDIA_DIR].some((root) => isWithin(dir, root))
  const folders = [dirname(c.DB_PATH), dirname(c.AUTH_DB_PATH), dirname(c.SETTINGS_PATH)].filter(ours)
  return {
    dirs: unique([c.DATA_DIR, c.SESSION_DIR, c.MEDIA_DIR, ...folders]),
    laterDirs: unique([dirname(c.WA_EVENT_STREAM_PATH), deadLetterDir(c.DATA_DIR)].filter(ours)),
    databases: unique([c.DB_PATH, c.AUTH_DB_PATH, idempotencyPath(c.DATA_DIR), webhooksPath(c.DATA_DIR), accessPath(c.DATA_DIR), auditPath(c.DATA_DIR), approvalsPath(c.DATA_DIR), oauthPath(c.DATA_DIR), outboxPath(c.DATA_DIR), pacingPath(c.DATA_DIR)]),
    files: unique([c.SETTINGS_PATH, c.WA_EVENT_STREAM_PATH, `${c.WA_EVENT_STREAM_PATH}.1`, cursorKeyPath(c.DATA_DIR), mediaLinkKeyPath(c.SESSION_DIR)])
  }
}

const unique = (xs: string[]): string[] => [...new Set(xs)]

/** `path` is `root` or inside it (both absolute, as the configuration resolves them) */
export function isWithin(path: string, root: string): boolean {
  const r = relative(root, path)
  return r === '' || (!r.startsWith('..') && !isAbsolute(r))
}

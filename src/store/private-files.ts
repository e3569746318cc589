// Files 0600 and folders 0700 whatever the umask: every opener of a private file goes through here, and
// the start-up sweep tightens what an older version, a restore or a careless copy left looser.
import { chmodSync, closeSync, openSync, mkdirSync, readdirSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { DIR_MODE, FILE_MODE, SQLITE_COMPANIONS, looserThan, privatePaths, tightened, type PrivatePathsConfig } from './private-paths.js'

/** what a sweep changed, and what it could not (not ours to change, say) */
export interface TightenReport {
  tightened: string[]
  failed: Array<{ path: string; error: string }>
}

const newReport = (): TightenReport => ({ tightened: [], failed: [] })

/** takes from `path`'s mode what `wanted` does not allow; a missing path is left alone */
function tighten(path: string, wanted: number, report: TightenReport): void {
  let mode: number
  try {
    mode = statSync(path).mode
  } catch {
    return
  }
  if (!looserThan(mode, wanted)) return
  // a sticky folder (/tmp) is shared by design: never ours to close, whatever a path setting says
  if (mode & 0o1000) return
  try {
    chmodSync(path, tightened(mode, wanted))
    report.tightened.push(path)
  } catch (err) {
    report.failed.push({ path, error: (err as NodeJS.ErrnoException).code ?? String(err) })
  }
}

const isDir = (path: string): boolean => {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}

/** `dir` and missing parents made 0700 (the umask can only take bits away), `dir` itself tightened: for folders that are ours */
export function privateDir(dir: string, report = newReport()): TightenReport {
  mkdirSync(dir, { recursive: true, mode: DIR_MODE })
  tighten(dir, DIR_MODE, report)
  return report
}

/**
 * `dir` and missing parents made 0700; an existing folder is left as it is (it may be shared: the sweep
 * tightens the ones that are ours, see privatePaths)
 */
export function ensureDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: DIR_MODE })
}

/**
 * `path` made empty with 0600 when missing, tightened when it exists; a missing folder made 0700. An
 * existing file is never opened: closing any descriptor of a SQLite file drops every POSIX lock this
 * process holds on it, the other threads' connections' included.
 */
export function privateFile(path: string, report = newReport()): TightenReport {
  ensureDir(dirname(path))
  try {
    closeSync(openSync(path, 'wx', FILE_MODE))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
  }
  tighten(path, FILE_MODE, report)
  return report
}

/**
 * A SQLite database prepared before it is opened: the file exists with 0600, so the `-wal` and `-shm`
 * SQLite makes later get 0600 too (it gives them the database file's mode), and companions left by an
 * earlier run are tightened.
 */
export function privateDatabase(path: string, report = newReport()): TightenReport {
  privateFile(path, report)
  for (const s of SQLITE_COMPANIONS) tighten(`${path}${s}`, FILE_MODE, report)
  return report
}

/**
 * The start-up sweep: makes the private folders, tightens every private file and folder that exists
 * (dead letters included). Never throws for a path it may not change; the report says which.
 */
export function tightenDataFiles(config: PrivatePathsConfig): TightenReport {
  const p = privatePaths(config)
  const report = newReport()
  for (const d of p.dirs) privateDir(d, report)
  for (const d of p.laterDirs) {
    tighten(d, DIR_MODE, report)
    let names: string[] = []
    try {
      names = readdirSync(d)
    } catch {
      // not made yet
    }
    for (const n of names) {
      const entry = join(d, n)
      tighten(entry, isDir(entry) ? DIR_MODE : FILE_MODE, report)
    }
  }
  for (const db of p.databases) for (const s of ['', ...SQLITE_COMPANIONS]) tighten(`${db}${s}`, FILE_MODE, report)
  for (const f of p.files) tighten(f, FILE_MODE, report)
  return report
}

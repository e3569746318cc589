// How many media files are on disk, counted in the background (never on a request path).
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'

export class MediaStats {
  files = 0
  bytes = 0
  private timer: NodeJS.Timeout

  constructor(private readonly dir: string, intervalMs = 30_000) {
    void this.count()
    this.timer = setInterval(() => void this.count(), intervalMs)
    this.timer.unref()
  }

  private async count(): Promise<void> {
    let files = 0
    const walk = async (d: string, depth: number): Promise<void> => {
      let entries
      try {
        entries = await readdir(d, { withFileTypes: true })
      } catch {
        return
      }
      for (const e of entries) {
        if (e.isDirectory() && depth < 3) await walk(join(d, e.name), depth + 1)
        else if (e.isFile()) files++
      }
    }
    await walk(this.dir, 0)
    this.files = files
  }

  stop(): void {
    clearInterval(this.timer)
  }
}

// Downloads incoming media in the background when the auto_download_media setting is on: bounded
// concurrency, a bounded queue, and the size limit read live from the settings.
import { join } from 'node:path'
import { stat } from 'node:fs/promises'
import type { Logger } from 'pino'
import type { Supervisor } from '../wa/supervisor.js'
import type { SettingsStore } from '../settings/settings.js'
import type { BatchSummary } from '../store/batch-codec.js'
import { mediaRelPath } from './media-paths.js'

export class AutoDownloader {
  private readonly queue: Array<{ chatJid: string; id: string; rel: string }> = []
  private running = 0
  downloaded = 0
  failed = 0
  dropped = 0

  constructor(private readonly wa: Supervisor, private readonly settings: SettingsStore, private readonly mediaDir: string, private readonly concurrency: number, private readonly queueMax: number, private readonly log: Logger) {}

  /** called with batches once they are in the store (the worker reads the raw message from there) */
  offer(summaries: BatchSummary[]): void {
    const s = this.settings.current()
    if (!s.auto_download_media) return
    const max = s.auto_download_max_mb * 1024 * 1024
    for (const b of summaries) {
      for (const m of b.media) {
        if (max > 0 && (m.media.fileLength ?? 0) > max) continue
        if (this.queue.length >= this.queueMax) {
          this.dropped++
          continue
        }
        this.queue.push({ chatJid: m.chatJid, id: m.id, rel: mediaRelPath(m.chatJid, m.id, m.media) })
      }
    }
    this.pump()
  }

  get stats(): { queued: number; in_flight: number; downloaded: number; failed: number; dropped: number } {
    return { queued: this.queue.length, in_flight: this.running, downloaded: this.downloaded, failed: this.failed, dropped: this.dropped }
  }

  private pump(): void {
    while (this.running < this.concurrency && this.queue.length) {
      const job = this.queue.shift()!
      this.running++
      void this.run(job).finally(() => {
        this.running--
        this.pump()
      })
    }
  }

  private async run(job: { chatJid: string; id: string; rel: string }): Promise<void> {
    const target = join(this.mediaDir, job.rel)
    try {
      await stat(target)
      return
    } catch {
      // not there yet
    }
    try {
      await this.wa.call('downloadMedia', { chatJid: job.chatJid, messageId: job.id, targetPath: target })
      this.downloaded++
    } catch (err) {
      this.failed++
      this.log.debug({ err, id: job.id }, 'auto-download failed')
    }
  }
}

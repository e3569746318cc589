// Runtime settings: env gives the first values, the settings file (SETTINGS_PATH, never under /media)
// wins once saved. Applied live: readers call current() each time, nobody copies them at start.
import { z } from 'zod'
import { readFileSync } from 'node:fs'
import { ensureDir } from '../store/private-files.js'
import { addSecrets } from '../log/logger.js'
import { writeFile, rename } from 'node:fs/promises'
import { dirname } from 'node:path'
import { EventEmitter } from 'node:events'
import type { Config } from '../config/load-config.js'
import { AppError } from '../errors/app-error.js'
import { endpointSchema, MAX_ENDPOINTS, toPublicEndpoint, type PublicEndpoint } from '../webhooks/endpoint-config.js'
import { APPROVAL_SETTINGS } from '../approvals/approval-policy.js'

export const settingsSchema = z.object({
  media_public_base_url: z.union([z.literal(''), z.url({ protocol: /^https?$/ })]).describe('public URL prefix for /media links; empty = relative links'),
  upload_enabled: z.boolean(),
  upload_max_mb: z.number().int().min(1).max(2048),
  max_files_per_upload: z.number().int().min(1).max(100),
  require_upload_token: z.boolean(),
  upload_token: z.string().max(200).describe('write-only: never returned, only whether it is set'),
  auto_download_media: z.boolean(),
  auto_download_max_mb: z.number().int().min(0).max(2048).describe('0 = no limit'),
  auto_select_contact: z.boolean().describe('get_chat_by_contact picks a clear winner by itself'),
  send_dedup_window_ms: z.number().int().min(0).max(3_600_000).describe('identical key-less sends within this window are not sent twice; 0 = off'),
  audit_bodies: z.boolean().describe('the audit trail keeps message texts and captions (off: only their length)'),
  // --- scheduler
  schedule_missed_after_s: z.number().int().min(0).max(30 * 86_400).describe('a scheduled send this many seconds past its time when it could go (the server was down) is marked missed, not sent; 0 = always sent'),
  webhooks: z.array(endpointSchema).max(MAX_ENDPOINTS).describe('webhook endpoints; changed through /api/webhooks only (URL checks, write-only secrets)'),
  // --- pacing of sends (src/pacing/*; defaults and their sources in the README's Pacing section); 0 = no limit
  pacing_enabled: z.boolean().describe('hold sends to the limits below (off: every send goes at once, no typing)'),
  pacing_over_limit: z.enum(['queue', 'refuse']).describe('a send over a limit: queued into the outbox, or refused with RATE_LIMITED and retry_after'),
  pacing_max_wait_ms: z.number().int().min(0).max(60_000).describe('a send allowed within this long is simply awaited by the call'),
  pacing_jitter_ms: z.number().int().min(0).max(60_000).describe('a held-back send goes up to this much later, at random'),
  pacing_chat_min_gap_ms: z.number().int().min(0).max(3_600_000),
  pacing_chat_per_minute: z.number().int().min(0).max(1000),
  pacing_chat_per_hour: z.number().int().min(0).max(100_000),
  pacing_new_chats_per_day: z.number().int().min(0).max(100_000).describe('first sends to chats with no message yet, in any 24 h'),
  pacing_per_minute: z.number().int().min(0).max(1000),
  pacing_per_day: z.number().int().min(0).max(1_000_000).describe('in any 24 h'),
  pacing_warmup_days: z.number().int().min(0).max(90).describe('lower daily limits for this many days after the account is first linked; 0 = none'),
  pacing_warmup_first_day: z.number().int().min(1).max(100_000).describe('sends allowed on the first day of the warm-up'),
  pacing_warmup_growth: z.number().min(1).max(10).describe('each warm-up day allows this many times the day before'),
  pacing_warmup_new_chats_per_day: z.number().int().min(0).max(100_000),
  typing_presence: z.boolean().describe('show "typing…" in the chat before a text, for a time proportional to it'),
  pacing_typing_ms_per_char: z.number().int().min(0).max(1000),
  pacing_typing_max_ms: z.number().int().min(0).max(30_000),
  // --- approvals (src/approvals)
  approval_required: z.enum(APPROVAL_SETTINGS).describe('what waits for a person\'s approval for every caller: off, sends, or sends and other actions'),
  approval_timeout_s: z.number().int().min(1).max(86_400).describe('how long a call waits for a decision, then APPROVAL_TIMEOUT'),
  // --- approvals in the owner's own chat (src/approvals/owner-chat.ts)
  approval_owner_chat: z.boolean().describe('each approval request is also asked in the account\'s own WhatsApp chat ("reply 1 to send, 2 to drop")')
})
export type Settings = z.infer<typeof settingsSchema>

/** the pacing defaults; where each comes from is in the README's Pacing section */
export const PACING_DEFAULTS = {
  pacing_enabled: true,
  pacing_over_limit: 'queue',
  pacing_max_wait_ms: 10_000,
  pacing_jitter_ms: 3000,
  pacing_chat_min_gap_ms: 6000,
  pacing_chat_per_minute: 6,
  pacing_chat_per_hour: 60,
  pacing_new_chats_per_day: 20,
  pacing_per_minute: 8,
  pacing_per_day: 1500,
  pacing_warmup_days: 7,
  pacing_warmup_first_day: 20,
  pacing_warmup_growth: 1.8,
  pacing_warmup_new_chats_per_day: 5,
  typing_presence: true,
  pacing_typing_ms_per_char: 30,
  pacing_typing_max_ms: 5000
} as const satisfies Partial<Settings>
export const SECRET_KEYS = ['upload_token'] as const

export type PublicSettings = Omit<Settings, 'upload_token' | 'webhooks'> & { upload_token_set: boolean; webhooks: PublicEndpoint[] }

export class SettingsStore extends EventEmitter<{ change: [Settings] }> {
  private value: Settings

  constructor(private readonly path: string, config: Config) {
    super()
    const defaults: Settings = {
      media_public_base_url: config.MEDIA_PUBLIC_BASE_URL ?? config.PUBLIC_BASE_URL ?? '',
      upload_enabled: config.UPLOAD_ENABLED ?? true,
      upload_max_mb: config.UPLOAD_MAX_MB ?? 50,
      max_files_per_upload: config.UPLOAD_MAX_FILES ?? 1,
      require_upload_token: config.REQUIRE_UPLOAD_TOKEN ?? false,
      upload_token: config.UPLOAD_TOKEN ?? '',
      auto_download_media: config.AUTO_DOWNLOAD_MEDIA ?? false,
      auto_download_max_mb: config.AUTO_DOWNLOAD_MAX_MB ?? 50,
      auto_select_contact: config.AUTO_SELECT_CONTACT ?? false,
      send_dedup_window_ms: config.WA_SEND_DEDUP_WINDOW_MS,
      audit_bodies: config.AUDIT_BODIES,
      // --- scheduler
      schedule_missed_after_s: config.SCHEDULE_MISSED_AFTER_S,
      webhooks: [],
      ...PACING_DEFAULTS,
      pacing_enabled: config.PACING_ENABLED,
      // approvals
      approval_required: config.APPROVAL_REQUIRED ?? 'off',
      approval_timeout_s: config.APPROVAL_TIMEOUT_S ?? 600,
      // approvals in the owner's own chat
      approval_owner_chat: false
    }
    let saved: Partial<Settings> = {}
    try {
      saved = settingsSchema.partial().parse(JSON.parse(readFileSync(path, 'utf8')))
    } catch {
      // no file yet, or one from an older version: env defaults apply
    }
    this.value = { ...defaults, ...saved }
    addSecrets([this.value.upload_token, ...this.value.webhooks.map((w) => w.secret)])
  }

  current(): Settings {
    return this.value
  }

  /** what the API shows: secrets replaced by whether they are set */
  public(): PublicSettings {
    const { upload_token, webhooks, ...rest } = this.value
    return { ...rest, upload_token_set: upload_token.length > 0, webhooks: webhooks.map(toPublicEndpoint) }
  }

  /** validates a partial update (unknown keys and bad values are errors), persists it, applies it */
  async update(patch: unknown): Promise<PublicSettings> {
    const parsed = settingsSchema.partial().strict().safeParse(patch)
    if (!parsed.success) {
      const fields: Record<string, string> = {}
      for (const i of parsed.error.issues) fields[String(i.path[0] ?? (i as { keys?: string[] }).keys?.[0] ?? '_')] = i.message
      throw new AppError('SETTINGS_INVALID', `Invalid settings: ${Object.entries(fields).map(([k, v]) => `${k}: ${v}`).join('; ')}`, { fields })
    }
    if (parsed.data.webhooks) throw new AppError('SETTINGS_INVALID', 'webhooks are changed through /api/webhooks (each URL is checked, secrets stay write-only).', { fields: { webhooks: 'use /api/webhooks' } })
    const next = { ...this.value, ...parsed.data }
    if (next.require_upload_token && !next.upload_token) throw new AppError('SETTINGS_INVALID', 'require_upload_token needs an upload_token.', { fields: { upload_token: 'required when require_upload_token is on' } })
    await this.save(next)
    return this.public()
  }

  /** replaces the webhook endpoints, already checked (webhooks/endpoint-config.ts); persists, applies */
  async setWebhooks(webhooks: Settings['webhooks']): Promise<void> {
    await this.save({ ...this.value, webhooks })
  }

  private async save(next: Settings): Promise<void> {
    ensureDir(dirname(this.path))
    const tmp = `${this.path}.${process.pid}.tmp`
    await writeFile(tmp, JSON.stringify(next, null, 2), { mode: 0o600 })
    await rename(tmp, this.path)
    this.value = next
    addSecrets([next.upload_token, ...next.webhooks.map((w) => w.secret)])
    this.emit('change', next)
  }
}

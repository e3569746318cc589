import { z } from 'zod'

/**
 * Every environment variable the server reads, with its default. Values are validated once at start;
 * a bad value stops the start with one clear line per problem (see load-config.ts).
 *
 * Names and defaults of the original product's variables are kept, so an existing `.env` keeps working.
 */

const bool = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off', ''].includes(v), 'expected true/false or 1/0')
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v))

const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .trim()
    .regex(/^-?\d+$/, 'expected an integer')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))

const list = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  )

const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])

/** Raw env → typed values. Optional entries stay undefined when unset; load-config derives the paths. */
export const envSchema = z.object({
  // --- network
  PORT: int(0, 65535).default(3003),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  /**
   * Host names (with an optional :port) the HTTP front answers to besides loopback names and IP addresses
   * (DNS-rebinding protection); `*` turns the check off. Comma separated.
   */
  ALLOWED_HOSTS: z
    .string()
    .transform((v) => v.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^(\*|[a-z0-9_.-]+(:\d{1,5})?|\[[0-9a-f:.]+\](:\d{1,5})?)$/, 'expected host names, host:port or *')))
    .default([]),

  // --- storage layout (derived from DATA_DIR when unset)
  DATA_DIR: z.string().trim().min(1).default('./data'),
  SESSION_DIR: z.string().trim().min(1).optional(),
  MEDIA_DIR: z.string().trim().min(1).optional(),
  DB_PATH: z.string().trim().min(1).optional(),
  SETTINGS_PATH: z.string().trim().min(1).optional(),
  /** Extra local folders `send_media media_path` may read from, besides MEDIA_DIR (comma separated). */
  MEDIA_ROOTS: list.default([]),
  ACCOUNT_ID: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/i, 'letters, digits, _ and - only')
    .default('default'),

  // --- logging
  LOG_LEVEL: logLevel.default('info'),
  BAILEYS_LOG_LEVEL: logLevel.default('warn'),

  // --- auth
  MCP_AUTH_TOKEN: list.default([]),
  ADMIN_TOKEN: z.string().trim().default(''),
  /** how long an admin sign-in lasts (sessions live in memory: a restart signs everybody out) */
  ADMIN_SESSION_TTL_MS: int(1_000).default(7 * 86_400_000),
  /** X-Forwarded-Proto / X-Forwarded-For come from a reverse proxy we trust: Secure cookies, client addresses */
  TRUST_PROXY: bool.default(false),
  /** how long a signed /media link (handed out while ADMIN_TOKEN is set) stays valid */
  MEDIA_LINK_TTL_MS: int(60_000).default(86_400_000),

  // --- OAuth 2.1 for remote MCP clients (off by default; needs PUBLIC_BASE_URL and ADMIN_TOKEN)
  OAUTH_ENABLED: bool.default(false),
  /** how long an OAuth access token is accepted at /mcp */
  OAUTH_ACCESS_TOKEN_TTL_MS: int(1_000, 86_400_000).default(3_600_000),
  /** how long a refresh token (and so a grant nobody refreshes) lives; each refresh starts it again */
  OAUTH_REFRESH_TOKEN_TTL_MS: int(60_000, 365 * 86_400_000).default(30 * 86_400_000),
  /** clients that registered themselves (RFC 7591) kept at most; client metadata documents do not count */
  OAUTH_MAX_CLIENTS: int(1, 100_000).default(1_000),
  /** client ID metadata documents may be fetched from loopback and private addresses (off: SSRF protection) */
  OAUTH_CLIENT_METADATA_ALLOW_PRIVATE: bool.default(false),

  // --- MCP transport
  MCP_HTTP_ENABLE_JSON_RESPONSE: bool.default(true),
  MCP_ALLOWED_ORIGINS: list.default([]),
  MCP_SESSION_TTL_MS: int(1000).default(30 * 60_000),
  MCP_MAX_SESSIONS: int(1).default(10_000),
  /** what all MCP sessions together may hold (clientInfo, capabilities, bookkeeping); past it the least recently used idle one goes */
  MCP_SESSIONS_MAX_MB: int(1, 4096).default(64),
  /** answers to store reads kept until the next store write; 0 turns the cache off */
  MCP_CACHE_ENTRIES: int(0).default(2_000),
  MCP_MAX_BODY_MB: int(1, 1024).default(20),
  /**
   * The toolsets /mcp publishes (read, send, groups, account, admin, audit; comma separated); empty
   * publishes all. `read` alone makes a read-only server.
   */
  MCP_TOOLSETS: list.pipe(z.array(z.enum(['read', 'send', 'groups', 'account', 'admin', 'audit']))).default([]),
  /** named credentials for automation, as JSON (see the README's Credentials section); checked at start */
  MCP_CREDENTIALS: z.string().trim().default(''),
  /** Test only: registers the MCP conformance suite's fixture tools, resources and prompts. */
  MCP_CONFORMANCE_FIXTURES: bool.default(false),
  /** test only: every store write waits this long first, so a crash test can land between a send and its commit */
  STORE_WRITE_DELAY_MS: int(0, 10_000).default(0),
  /** the event log (get_updates, wait_for_messages): kept this many days and at most this many events */
  EVENT_LOG_RETENTION_DAYS: int(1, 3650).default(7),
  EVENT_LOG_MAX_EVENTS: int(1000, 100_000_000).default(1_000_000),
  /** the Claude Code channel (claude/channel): the chats whose new messages are pushed into Claude Code sessions; '*' for all; empty: off */
  CLAUDE_CHANNEL_CHATS: list.default([]),
  /** the audit trail (DATA_DIR/audit.sqlite): rows kept this many days */
  AUDIT_RETENTION_DAYS: int(1, 36500).default(90),
  /** the first value of the audit_bodies runtime setting: whether the trail keeps message texts */
  AUDIT_BODIES: bool.default(false),
  // scheduler: the first value of the schedule_missed_after_s runtime setting
  SCHEDULE_MISSED_AFTER_S: int(0, 30 * 86_400).default(3600),
  /** the first value of the pacing_enabled runtime setting (src/pacing/*) */
  PACING_ENABLED: bool.default(true),
  /** how long the records of reads may wait to be written together (changes are written before their reply) */
  AUDIT_FLUSH_MS: int(1, 60_000).default(200),
  // --- approvals: the first values of the approval_required and approval_timeout_s runtime settings
  APPROVAL_REQUIRED: z.enum(['off', 'sends', 'actions']).default('off'),
  APPROVAL_TIMEOUT_S: int(1, 86_400).default(600),

  // --- WhatsApp connection
  WA_WS_URL: z.string().url().optional(),
  /** Test only: base64 of a 32-byte Curve25519 public key that replaces WhatsApp's noise root key. */
  WA_TRUST_ROOT_KEY: z
    .string()
    .trim()
    .refine((v) => v === '' || Buffer.from(v, 'base64').length === 32, 'expected base64 of 32 bytes')
    .optional(),
  WA_BROWSER_NAME: z.string().trim().min(1).default('Chrome'),
  WA_INITIALIZE_TIMEOUT_MS: int(0).default(120_000),
  WA_HEARTBEAT_INTERVAL_MS: int(100).default(2_000),
  WA_HEARTBEAT_TIMEOUT_MS: int(500).default(15_000),
  /**
   * How long a Signal key update may wait to reach the disk: an update that only moves a receiving chain
   * forward (a contact's session, a group sender's key) is written within it, every other update is
   * committed at once and fsynced within it.
   */
  WA_KEY_SYNC_MS: int(10, 600_000).default(200),

  // --- recovery (names and defaults of the original)
  WA_RESYNC_RECONNECT: bool.default(true),
  WA_RESYNC_RECONNECT_DELAY_MS: int(0).default(15_000),
  WA_SYNC_RECOVERY_COOLDOWN_MS: int(0).default(300_000),
  WA_SYNC_RECOVERY_WINDOW_MS: int(1_000).default(900_000),
  WA_SYNC_SOFT_RECOVERY_LIMIT: int(1).default(2),
  WA_READINESS_GRACE_MS: int(1_000).default(180_000),
  WA_DISCONNECT_RECOVERY_DELAY_MS: int(0).default(30_000),
  WA_DISCONNECT_RECOVERY_RESTART_CODES: list.default(['428', '503']),

  // --- sending
  WA_SEND_DEDUP_WINDOW_MS: int(0).default(45_000),
  WA_IDEMPOTENCY_TTL_MS: int(60_000).default(86_400_000),
  WA_SEND_READY_WAIT_MS: int(0).default(10_000),

  // --- caches and event logs
  WA_MESSAGE_INDEX_MAX: int(0).default(20_000),
  WA_MESSAGE_KEY_INDEX_MAX: int(0).default(20_000),
  WA_EVENT_LOG: bool.default(false),
  WA_EVENT_STREAM: bool.default(false),
  WA_EVENT_STREAM_PATH: z.string().trim().min(1).optional(),
  WA_EVENT_STREAM_MAX_MB: int(1).default(50),

  // --- media
  WA_AUTO_DOWNLOAD_CONCURRENCY: int(1, 64).default(3),
  WA_AUTO_DOWNLOAD_QUEUE_MAX: int(1).default(200),
  FFMPEG_PATH: z.string().trim().default('ffmpeg'),
  MEDIA_FETCH_TIMEOUT_MS: int(100).default(30_000),
  /** media_url may reach loopback and private networks (off: SSRF protection). */
  MEDIA_URL_ALLOW_PRIVATE: bool.default(false),

  // --- webhooks (the endpoints themselves are runtime settings, /api/webhooks)
  /** webhook URLs may lead to loopback and private networks (off: SSRF protection, at save and at send) */
  WEBHOOK_ALLOW_PRIVATE: bool.default(false),
  WEBHOOK_MAX_ATTEMPTS: int(1, 100).default(15),
  WEBHOOK_MAX_AGE_HOURS: int(1, 24 * 30).default(24),
  WEBHOOK_RETRY_BASE_MS: int(10, 3_600_000).default(2000),
  WEBHOOK_RETRY_MAX_MS: int(10, 86_400_000).default(3_600_000),
  WEBHOOK_TIMEOUT_MS: int(100, 120_000).default(10_000),
  WEBHOOK_CONCURRENCY: int(1, 1024).default(32),

  // --- runtime settings: env gives the initial value, the settings file wins once saved
  MEDIA_PUBLIC_BASE_URL: z.string().trim().optional(),
  PUBLIC_BASE_URL: z.string().trim().optional(),
  UPLOAD_MAX_MB: int(1, 2048).optional(),
  UPLOAD_ENABLED: bool.optional(),
  UPLOAD_MAX_FILES: int(1, 100).optional(),
  REQUIRE_UPLOAD_TOKEN: bool.optional(),
  UPLOAD_TOKEN: z.string().optional(),
  AUTO_DOWNLOAD_MEDIA: bool.optional(),
  AUTO_DOWNLOAD_MAX_MB: int(0, 2048).optional(),
  AUTO_SELECT_CONTACT: bool.optional(),

  // --- pools
  POOL_THREADS: int(1, 64).optional(),
})

export type Env = z.output<typeof envSchema>

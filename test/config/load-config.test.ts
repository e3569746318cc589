import { test } from 'node:test'
import assert from 'node:assert/strict'
import { loadConfig } from '../../src/config/load-config.js'
import { AppError } from '../../src/errors/app-error.js'

test('defaults put every path under DATA_DIR and bind to loopback on port 3003', () => {
  const c = loadConfig({ DATA_DIR: '/tmp/x' })
  assert.equal(c.PORT, 3003)
  assert.equal(c.HOST, '127.0.0.1')
  assert.equal(c.exposed, false)
  assert.equal(c.MEDIA_DIR, '/tmp/x/media')
  assert.equal(c.DB_PATH, '/tmp/x/store.sqlite')
  assert.equal(c.SETTINGS_PATH, '/tmp/x/settings.json')
  assert.equal(c.AUTH_DB_PATH, '/tmp/x/session/auth.sqlite')
  assert.equal(c.WA_SEND_DEDUP_WINDOW_MS, 45_000)
  assert.equal(c.WA_IDEMPOTENCY_TTL_MS, 86_400_000)
})

test('every bad value is reported on its own line, secrets hidden', () => {
  assert.throws(
    () => loadConfig({ PORT: 'abc', WA_SYNC_SOFT_RECOVERY_LIMIT: '0', WA_TRUST_ROOT_KEY: 'short', LOG_LEVEL: 'loud' }),
    (err: unknown) => {
      assert.ok(err instanceof AppError)
      assert.equal(err.code, 'CONFIG_INVALID')
      const lines = err.message.split('\n').slice(1)
      assert.equal(lines.length, 4)
      assert.ok(lines.some((l) => l.startsWith('PORT:') && l.includes('"abc"')))
      assert.ok(lines.some((l) => l.startsWith('WA_SYNC_SOFT_RECOVERY_LIMIT:')))
      assert.ok(lines.some((l) => l.startsWith('LOG_LEVEL:')))
      const key = lines.find((l) => l.startsWith('WA_TRUST_ROOT_KEY:'))
      assert.ok(key && !key.includes('short'), 'the key value must not be echoed')
      return true
    },
  )
})

test('settings and the store may not live inside the publicly served MEDIA_DIR', () => {
  assert.throws(() => loadConfig({ MEDIA_DIR: '/tmp/m', SETTINGS_PATH: '/tmp/m/settings.json' }), /SETTINGS_PATH/)
  assert.throws(() => loadConfig({ MEDIA_DIR: '/tmp/m', DB_PATH: '/tmp/m/sub/store.sqlite' }), /DB_PATH/)
})

test('WA_SEND_DEDUP_WINDOW_MS=0 turns dedup off instead of falling back to the default', () => {
  assert.equal(loadConfig({ WA_SEND_DEDUP_WINDOW_MS: '0' }).WA_SEND_DEDUP_WINDOW_MS, 0)
})

test('a non-loopback HOST is flagged as exposed and token lists are split on commas', () => {
  const c = loadConfig({ HOST: '0.0.0.0', MCP_AUTH_TOKEN: 'a, b ,c' })
  assert.equal(c.exposed, true)
  assert.deepEqual(c.MCP_AUTH_TOKEN, ['a', 'b', 'c'])
})

test('ALLOWED_HOSTS, the public URLs and a named HOST make the Host allowlist; a malformed entry stops the start', () => {
  const c = loadConfig({ ALLOWED_HOSTS: 'WA.example.com, other.example:8443,[::1]:9', PUBLIC_BASE_URL: 'https://Public.example/x', MEDIA_PUBLIC_BASE_URL: 'https://cdn.example:444', HOST: 'box.lan' })
  assert.deepEqual(c.httpHosts.sort(), ['[::1]:9', 'box.lan', 'cdn.example:444', 'other.example:8443', 'public.example', 'wa.example.com'])
  assert.deepEqual(loadConfig({ HOST: '0.0.0.0' }).httpHosts, [])
  assert.deepEqual(loadConfig({ ALLOWED_HOSTS: '*' }).httpHosts, ['*'])
  for (const bad of ['http://wa.example.com', 'wa.example.com/x', 'a b', 'host:port']) assert.throws(() => loadConfig({ ALLOWED_HOSTS: bad }), /ALLOWED_HOSTS/, bad)
})

test('OAUTH_ENABLED needs a public origin and ADMIN_TOKEN; each missing one is its own line', () => {
  for (const [env, want] of [
    [{}, ['PUBLIC_BASE_URL:', 'ADMIN_TOKEN:']],
    [{ PUBLIC_BASE_URL: 'https://wa.example.com/some/path', ADMIN_TOKEN: 'x' }, ['PUBLIC_BASE_URL:']],
    [{ PUBLIC_BASE_URL: 'https://wa.example.com' }, ['ADMIN_TOKEN:']]
  ] as Array<[Record<string, string>, string[]]>) {
    assert.throws(() => loadConfig({ DATA_DIR: '/tmp/x', OAUTH_ENABLED: 'true', ...env }), (err: unknown) => {
      assert.ok(err instanceof AppError && err.code === 'CONFIG_INVALID')
      const lines = err.message.split('\n').slice(1)
      assert.deepEqual(lines.map((l) => l.slice(0, l.indexOf(':') + 1)), want)
      return true
    })
  }
  const c = loadConfig({ DATA_DIR: '/tmp/x', OAUTH_ENABLED: 'true', PUBLIC_BASE_URL: 'https://wa.example.com/', ADMIN_TOKEN: 'x' })
  assert.equal(c.OAUTH_ENABLED, true)
  assert.equal(c.OAUTH_ACCESS_TOKEN_TTL_MS, 3_600_000)
})

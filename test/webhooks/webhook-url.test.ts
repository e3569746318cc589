// The save-time rule for a webhook URL's name: what it resolves to now decides, every address counts.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { checkWebhookUrl } from '../../src/webhooks/webhook-url.js'
import { AppError } from '../../src/errors/app-error.js'

const resolvingTo = (...addresses: string[]) => async () => addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))

test('a name that resolves to any non-public address is refused; public, unresolvable and allowed ones pass', async () => {
  const rows: Array<[string, Parameters<typeof checkWebhookUrl>[1], 'ok' | 'WEBHOOK_URL_FORBIDDEN']> = [
    ['to loopback', { allowPrivate: false, resolve: resolvingTo('127.0.0.1') }, 'WEBHOOK_URL_FORBIDDEN'],
    ['to a private v4', { allowPrivate: false, resolve: resolvingTo('10.0.0.7') }, 'WEBHOOK_URL_FORBIDDEN'],
    ['to metadata', { allowPrivate: false, resolve: resolvingTo('169.254.169.254') }, 'WEBHOOK_URL_FORBIDDEN'],
    ['to a unique-local v6', { allowPrivate: false, resolve: resolvingTo('fd12::1') }, 'WEBHOOK_URL_FORBIDDEN'],
    ['to a mapped loopback', { allowPrivate: false, resolve: resolvingTo('::ffff:127.0.0.1') }, 'WEBHOOK_URL_FORBIDDEN'],
    ['to a public and a private one (round robin)', { allowPrivate: false, resolve: resolvingTo('93.184.216.34', '192.168.0.2') }, 'WEBHOOK_URL_FORBIDDEN'],
    ['to a public one', { allowPrivate: false, resolve: resolvingTo('93.184.216.34') }, 'ok'],
    ['to nothing (not registered yet)', { allowPrivate: false, resolve: async () => { throw new Error('ENOTFOUND') } }, 'ok'],
    ['to loopback, allowed', { allowPrivate: true, resolve: resolvingTo('127.0.0.1') }, 'ok']
  ]
  for (const [what, o, want] of rows) {
    const got = await checkWebhookUrl('https://hooks.example.org/in', o).then(() => 'ok', (e: unknown) => (e instanceof AppError ? e.code : String(e)))
    assert.equal(got, want, what)
  }
})

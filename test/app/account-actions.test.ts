// The account tools through the real stack (SDK client -> server -> Baileys -> emulator): a blocked
// person's messages no longer arrive, and the profile changes reach WhatsApp (and so everyone else).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import sharp from 'sharp'
import { startEmulator, type Emulator } from '../emulator/emulator.js'
import type { PushedMutation } from '../emulator/app-state.js'
import type { Person } from '../emulator/person.js'
import { call, until } from '../helpers/server-process.js'
import { startLinkedServer, type LinkedServer } from '../helpers/link.js'

const ACCOUNT = '15550009001'
let emu: Emulator
let linked: LinkedServer
let client: Client
let ada: Person

const ok = async (name: string, args: Record<string, unknown>) => {
  const r = await call(client, name, args)
  assert.equal(r.ok, true, `${name}: ${JSON.stringify(r.data)}`)
  return r.data
}
const code = async (name: string, args: Record<string, unknown>) => (await call(client, name, args)).data.code
/** the next change WhatsApp records for the account (about, picture, block list) */
const changed = (key: string, timeoutMs = 15_000) => new Promise<Record<string, unknown>>((resolve, reject) => {
  const timer = setTimeout(() => {
    emu.off('account-change', on)
    reject(new Error(`WhatsApp never recorded a change of ${key}`))
  }, timeoutMs)
  const on = (c: Record<string, unknown>) => {
    if (c.phone !== ACCOUNT || !(key in c)) return
    emu.off('account-change', on)
    clearTimeout(timer)
    resolve(c)
  }
  emu.on('account-change', on)
})

before(async () => {
  emu = await startEmulator()
  ada = emu.person({ phone: '15550009002', name: 'Ada' })
  emu.setHistory(ACCOUNT, { chats: [{ jid: ada.phone, messages: [{ text: 'hi', id: 'A1' }] }] })
  linked = await startLinkedServer(emu, ACCOUNT)
  client = linked.client
})

after(async () => {
  await linked?.close()
  await emu?.close()
})

test('block_contact stops the person\'s messages at WhatsApp; unblock_contact lets them through again', async () => {
  const blocked = changed('blocked')
  const r = await ok('block_contact', { contact_jid: '+1 555 000 9002' })
  assert.deepEqual(r, { jid: ada.jid, blocked: true, block_list: [ada.jid] })
  assert.equal((await blocked).blocked, ada.jid)
  assert.deepEqual((await ada.sendText(ACCOUNT, 'are you there?')).delivered, [])
  const unblocked = changed('unblocked')
  assert.deepEqual((await ok('unblock_contact', { contact_jid: ada.jid })).block_list, [])
  await unblocked
  assert.ok((await ada.sendText(ACCOUNT, 'now?')).delivered.length > 0)
  assert.equal(await code('block_contact', { contact_jid: '120363000000000001@g.us' }), 'WA_JID_INVALID')
  assert.equal(await code('block_contact', { contact_jid: 'nobody' }), 'WA_JID_INVALID')
})

test('update_profile changes the about text, the push name and the picture, and removes the picture', async () => {
  const about = changed('about')
  await ok('update_profile', { about: 'Out fishing' })
  assert.equal((await about).about, 'Out fishing')
  assert.equal(emu.account(ACCOUNT)!.status, 'Out fishing')

  // the push name is app state: it needs the key the phone shares after linking
  const pushed = new Promise<PushedMutation>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no push name patch')), 30_000)
    const on = (p: { mutations: PushedMutation[] }) => {
      const m = p.mutations.find((x) => x.index[0] === 'setting_pushName')
      if (!m) return
      emu.off('app-state-patch', on)
      clearTimeout(timer)
      resolve(m)
    }
    emu.on('app-state-patch', on)
  })
  await until(async () => {
    const r = await call(client, 'update_profile', { name: 'Ada\'s friend' })
    if (!r.ok) assert.equal(r.data.code, 'APP_STATE_NOT_READY', JSON.stringify(r.data))
    return r.ok
  }, 20_000, 'the app-state key')
  assert.equal((await pushed).action.pushNameSetting?.name, 'Ada\'s friend')
  assert.equal(emu.account(ACCOUNT)!.name, 'Ada\'s friend')

  const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 30, b: 30 } } }).png().toBuffer()
  const pic = changed('picture')
  assert.deepEqual((await ok('update_profile', { picture_content: png.toString('base64') })).changed, ['picture'])
  const jpeg = (await pic).picture as Buffer
  assert.equal(jpeg.subarray(0, 2).toString('hex'), 'ffd8', 'WhatsApp got a JPEG')
  assert.ok(emu.account(ACCOUNT)!.pictureUrl)
  const gone = changed('picture')
  await ok('update_profile', { remove_picture: true })
  assert.equal((await gone).picture, null)
  assert.equal(emu.account(ACCOUNT)!.pictureUrl, undefined)
})

test('update_profile refuses nothing to change, a picture that is no image, both a picture and its removal, a path outside the media folders', async () => {
  assert.equal(await code('update_profile', {}), 'INVALID_INPUT')
  assert.equal(await code('update_profile', { picture_content: Buffer.from('just some text, not a picture').toString('base64') }), 'MEDIA_TYPE_REJECTED')
  assert.equal(await code('update_profile', { picture_content: 'aGk=', remove_picture: true }), 'INVALID_INPUT')
  assert.equal(await code('update_profile', { picture_path: '/etc/passwd' }), 'MEDIA_PATH_FORBIDDEN')
  assert.equal(await code('update_profile', { name: 'x'.repeat(26) }), 'INVALID_INPUT')
})

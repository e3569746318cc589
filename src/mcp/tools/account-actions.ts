// The account itself: whom it blocks (and the block list), and its profile (push name, about, picture).
import { z } from 'zod'
import { rm } from 'node:fs/promises'
import { defineTool } from '../tool.js'
import { canonicalJid, jidInput } from '../schemas.js'
import { AppError } from '../../errors/app-error.js'
import { stageMedia } from '../../media/stage-media.js'
import type { Services } from '../../app/services.js'
import { approved } from '../../approvals/gate-call.js'

const ready = (s: Services) => s.wa.waitReady(s.config.WA_SEND_READY_WAIT_MS)
const blockOutput = { jid: z.string(), blocked: z.boolean(), block_list: z.array(z.string()).describe('every blocked JID') }
const BLOCK = { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true } as const

function person(s: Services, input: string): string {
  const jid = canonicalJid(s, input)
  if (!jid.endsWith('@s.whatsapp.net') && !jid.endsWith('@lid')) throw new AppError('WA_JID_INVALID', `"${input}" is not a person.`)
  return jid
}

export const blockContact = defineTool({
  name: 'block_contact',
  toolset: 'account',
  description: 'Blocks a person: WhatsApp delivers nothing more from them. Returns the block list.',
  input: { contact_jid: jidInput('a JID or a phone number') },
  output: blockOutput,
  annotations: { title: 'Block a contact', ...BLOCK },
  async run(a, ctx) {
    const { services: s, chats } = ctx
    const jid = chats.write(person(s, a.contact_jid))
    a = await approved(ctx, 'block_contact', jid, a)
    await ready(s)
    const list = await s.wa.call('blockContact', { jid, block: true })
    return { jid, blocked: true, block_list: list }
  }
})

export const unblockContact = defineTool({
  name: 'unblock_contact',
  toolset: 'account',
  description: 'Unblocks a person. Returns the block list.',
  input: { contact_jid: jidInput('a JID or a phone number') },
  output: blockOutput,
  annotations: { title: 'Unblock a contact', ...BLOCK },
  async run(a, ctx) {
    const { services: s, chats } = ctx
    const jid = chats.write(person(s, a.contact_jid))
    a = await approved(ctx, 'unblock_contact', jid, a)
    await ready(s)
    const list = await s.wa.call('blockContact', { jid, block: false })
    return { jid, blocked: false, block_list: list }
  }
})

export const updateProfile = defineTool({
  name: 'update_profile',
  toolset: 'account',
  description: 'Changes this account\'s push name, about text, or picture (picture_path inside MEDIA_DIR or MEDIA_ROOTS, or picture_content as base64; JPEG or PNG), or removes the picture. Only what is given changes.',
  input: {
    name: z.string().trim().min(1).max(25).optional(),
    about: z.string().max(139).optional(),
    picture_path: z.string().max(1000).optional(),
    picture_content: z.string().max(20_000_000).optional(),
    remove_picture: z.literal(true).optional()
  },
  output: { success: z.literal(true), changed: z.array(z.string()) },
  annotations: { title: 'Update the profile', readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  async run(a, ctx) {
    const { services: s } = ctx
    const picture = a.picture_path !== undefined || a.picture_content !== undefined
    if (picture && a.remove_picture) throw new AppError('INVALID_INPUT', 'Give a picture or remove_picture, not both.')
    const changed = [a.name !== undefined && 'name', a.about !== undefined && 'about', (picture || a.remove_picture) && 'picture'].filter((x): x is string => !!x)
    if (!changed.length) throw new AppError('INVALID_INPUT', 'Give at least one of name, about, picture_path, picture_content, remove_picture.')
    a = await approved(ctx, 'update_profile', '', a)
    const { config } = s
    const staged = picture ? await stageMedia({ media_path: a.picture_path, media_content: a.picture_content }, { mediaDir: config.MEDIA_DIR, roots: config.MEDIA_ROOTS, maxBytes: s.settings.current().upload_max_mb * 1024 * 1024, fetchTimeoutMs: config.MEDIA_FETCH_TIMEOUT_MS }) : undefined
    try {
      if (staged && staged.mimetype !== 'image/jpeg' && staged.mimetype !== 'image/png') throw new AppError('MEDIA_TYPE_REJECTED', `A profile picture is a JPEG or PNG, not ${staged.mimetype}.`)
      await ready(s)
      await s.wa.call('updateProfile', { name: a.name, about: a.about, picturePath: staged?.path, removePicture: a.remove_picture })
    } finally {
      if (staged?.created) await rm(staged.path, { force: true })
    }
    return { success: true as const, changed }
  }
})

import { z } from 'zod'
import { defineTool, READ_ONLY, READ_REMOTE } from '../tool.js'
import { canonicalJid, contactShape, contactShapeFull, cursorInput, jidInput, limitInput, nextCursor, toContact } from '../schemas.js'
import { resolveContacts, matchShape } from '../resolve.js'
import { AppError } from '../../errors/app-error.js'

export const searchContacts = defineTool({
  name: 'search_contacts',
  toolset: 'read',
  description: 'Stored contacts by name, push name or number (numbers match from their start: "+1 555" finds 1555...), exact matches first.',
  input: { query: z.string().trim().min(1).max(200), limit: limitInput(50), cursor: cursorInput },
  output: { contacts: z.array(contactShapeFull), next_cursor: nextCursor },
  annotations: { title: 'Search contacts', ...READ_ONLY },
  storeRead: true,
  async run(a, { services, chats }) {
    const r = services.contacts.search(a.query, a.limit, a.cursor, chats.scope)
    return { contacts: r.contacts.map(toContact), next_cursor: r.next_cursor }
  }
})

export const resolveContact = defineTool({
  name: 'resolve_contact',
  toolset: 'read',
  description: 'Best matches for a name or number, each scored (100 = exact, 90 = number prefix, 80 = name prefix, below: contains).',
  input: { query: z.string().trim().min(1).max(200), limit: limitInput(5, 50) },
  output: { matches: z.array(matchShape) },
  annotations: { title: 'Resolve a contact', ...READ_ONLY },
  storeRead: true,
  async run(a, { services, chats }) {
    return { matches: resolveContacts(services, a.query, a.limit, chats.scope) }
  }
})

export const getContactById = defineTool({
  name: 'get_contact_by_id',
  toolset: 'read',
  description: 'One contact (a LID and a phone JID of one person give the same). Error CONTACT_NOT_FOUND.',
  input: { jid: jidInput() },
  output: { contact: contactShape },
  annotations: { title: 'Get a contact', ...READ_ONLY },
  storeRead: true,
  async run(a, { services, chats }) {
    const jid = chats.read(canonicalJid(services, a.jid, chats))
    const c = services.contacts.get(jid)
    if (!c) throw new AppError('CONTACT_NOT_FOUND', `No contact ${jid}.`)
    return { contact: toContact(c) }
  }
})

export const getProfilePic = defineTool({
  name: 'get_profile_pic',
  toolset: 'read',
  description: 'Profile picture URL of a person or group, from WhatsApp; null when none or hidden.',
  input: { jid: jidInput() },
  output: { jid: z.string(), url: z.string().nullable() },
  annotations: { title: 'Get a profile picture', ...READ_REMOTE },
  async run(a, { services, chats }) {
    const jid = chats.read(canonicalJid(services, a.jid, chats))
    await services.wa.waitReady(services.config.WA_SEND_READY_WAIT_MS)
    return { jid, url: await services.wa.call('profilePictureUrl', jid) }
  }
})

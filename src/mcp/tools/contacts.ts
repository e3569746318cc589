import { z } from 'zod'
import { defineTool, READ_ONLY, READ_REMOTE } from '../tool.js'
import { canonicalJid, contactShape, cursorInput, jidInput, limitInput, nextCursor, toContact } from '../schemas.js'
import { resolveContacts, matchShape } from '../resolve.js'
import { AppError } from '../../errors/app-error.js'

export const searchContacts = defineTool({
  name: 'search_contacts',
  toolset: 'read',
  description: 'Searches every stored contact by name, push name or number. Numbers match from their start ("+1 555" finds 1555..., "1234" never matches a number that merely contains it). Ranked: exact number, number prefix, exact name, name prefix, name substring. Paged with cursor.',
  input: { query: z.string().trim().min(1).max(200), limit: limitInput(50), cursor: cursorInput },
  output: { contacts: z.array(contactShape), next_cursor: nextCursor },
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
  description: 'Best matches for a name or number, scored: number exact 100, number prefix 90; name exact 100, push name exact 95, name prefix 80, push name prefix 75, name contains 60, push name contains 55. Highest first.',
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
  description: 'One contact by phone JID, LID or number; both halves of a person give the same contact. Error CONTACT_NOT_FOUND.',
  input: { jid: jidInput() },
  output: { contact: contactShape },
  annotations: { title: 'Get a contact', ...READ_ONLY },
  storeRead: true,
  async run(a, { services, chats }) {
    const jid = chats.read(canonicalJid(services, a.jid))
    const c = services.contacts.get(jid)
    if (!c) throw new AppError('CONTACT_NOT_FOUND', `No contact ${jid}.`)
    return { contact: toContact(c) }
  }
})

export const getProfilePic = defineTool({
  name: 'get_profile_pic',
  toolset: 'read',
  description: 'The profile picture URL of a person or group, asked from WhatsApp. url is null when there is none or it is hidden by privacy settings.',
  input: { jid: jidInput() },
  output: { jid: z.string(), url: z.string().nullable() },
  annotations: { title: 'Get a profile picture', ...READ_REMOTE },
  async run(a, { services, chats }) {
    const jid = chats.read(canonicalJid(services, a.jid))
    await services.wa.waitReady(services.config.WA_SEND_READY_WAIT_MS)
    return { jid, url: await services.wa.call('profilePictureUrl', jid) }
  }
})

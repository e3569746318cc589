// What WhatsApp's answer for one person of a group change means, in words an agent acts on. Pure: the
// status codes are WhatsApp's (200, or the participant's error), the action is what was asked.
import type { GroupParticipantAction, GroupParticipantResult } from '../../wa/worker-api.js'

export type ParticipantOutcome = 'added' | 'removed' | 'promoted' | 'demoted' | 'not_on_whatsapp' | 'needs_invite' | 'invite_sent' | 'already_member' | 'not_member' | 'left_recently' | 'failed'

const DONE: Record<GroupParticipantAction, ParticipantOutcome> = { add: 'added', remove: 'removed', promote: 'promoted', demote: 'demoted' }

/**
 * 403 on an add: the person lets only their contacts add them, so an invite (sent when asked) is the way
 * in; 400/404 on an add: no such WhatsApp account; 404 otherwise: not in the group; 409: already in it;
 * 408: they left recently and WhatsApp holds off re-adding them.
 */
export function participantOutcome(action: GroupParticipantAction, r: GroupParticipantResult): ParticipantOutcome {
  if (r.status === 200) return DONE[action]
  if (action === 'add') {
    if (r.status === 403) return r.invited ? 'invite_sent' : 'needs_invite'
    if (r.status === 400 || r.status === 404) return 'not_on_whatsapp'
    if (r.status === 409) return 'already_member'
    if (r.status === 408) return 'left_recently'
  }
  if (r.status === 404) return 'not_member'
  return 'failed'
}

/** a WhatsApp group invite link or its bare code -> the code; undefined when it is neither */
export function inviteCodeOf(input: string): string | undefined {
  const m = /^(?:(?:https?:\/\/)?chat\.whatsapp\.com\/(?:invite\/)?)?([A-Za-z0-9_-]{10,64})\/?$/.exec(input.trim())
  return m?.[1]
}

export const INVITE_LINK_BASE = 'https://chat.whatsapp.com/'

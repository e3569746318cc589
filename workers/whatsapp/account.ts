// The account and the people it knows: profile pictures, the block list, and the account's own profile
// (push name, about text, picture).
import { jidNormalizedUser } from '@whiskeysockets/baileys'
import { AppError } from '../../src/errors/app-error.js'
import type { ProfileChange } from '../../src/wa/worker-api.js'
import { statusCodeOf, type WaHost } from './host.js'

export class Account {
  constructor(private readonly host: WaHost) {}

  /** null when none is set or the person's privacy settings hide it; WA_QUERY_FAILED otherwise */
  async profilePictureUrl(jid: string): Promise<string | null> {
    const sock = this.host.ready()
    try {
      return (await sock.profilePictureUrl(jid, 'image')) ?? null
    } catch (err) {
      const code = statusCodeOf(err)
      if (code === 404 || code === 401 || code === 403 || code === 400 || /not-found|not-authorized|item-not-found/i.test((err as Error).message)) return null
      throw new AppError('WA_QUERY_FAILED', (err as Error).message)
    }
  }

  /** the blocked people by phone JID (WhatsApp names them by LID; the mapping gives the number) */
  async blocklist(): Promise<string[]> {
    const sock = this.host.ready()
    const jids = await sock.fetchBlocklist()
    const out: string[] = []
    for (const j of jids) {
      if (!j) continue
      const pn = j.endsWith('@lid') ? await sock.signalRepository.lidMapping.getPNForLID(j).catch(() => undefined) : j
      out.push(jidNormalizedUser(pn ?? j))
    }
    return out
  }

  /** blocks or unblocks, then the block list as WhatsApp has it now; WA_QUERY_FAILED when it refuses */
  async block(req: { jid: string; block: boolean }): Promise<string[]> {
    const sock = this.host.ready()
    try {
      await sock.updateBlockStatus(req.jid, req.block ? 'block' : 'unblock')
    } catch (err) {
      throw new AppError('WA_QUERY_FAILED', `${req.block ? 'Blocking' : 'Unblocking'} failed: ${(err as Error).message}`)
    }
    return this.blocklist()
  }

  /**
   * The push name (an app-state setting), the about text and the picture (a JPEG or PNG file, cropped to a
   * square by Baileys) or its removal. APP_STATE_NOT_READY for the name before the phone shared its keys.
   */
  async updateProfile(req: ProfileChange): Promise<void> {
    const sock = this.host.ready()
    const me = this.host.me().jid!
    try {
      if (req.name !== undefined) await sock.updateProfileName(req.name)
      if (req.about !== undefined) await sock.updateProfileStatus(req.about)
      if (req.picturePath) await sock.updateProfilePicture(me, { url: req.picturePath })
      else if (req.removePicture) await sock.removeProfilePicture(me)
    } catch (err) {
      if (/app state key not present|myAppStateKey/i.test((err as Error)?.message ?? '')) throw new AppError('APP_STATE_NOT_READY', 'The phone has not shared its app-state key yet; retry once the first sync is done.')
      throw new AppError('WA_QUERY_FAILED', `The profile change failed: ${(err as Error)?.message ?? String(err)}`)
    }
  }
}

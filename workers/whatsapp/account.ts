// The account and the people it knows: profile pictures, and (below) the block list and its own profile.
import { AppError } from '../../src/errors/app-error.js'
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
}

// The WhatsApp worker thread: exactly one Baileys socket, exposed to the main thread with comlink.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import * as Comlink from 'comlink'
import { nodeEndpoint } from '../../src/wa/node-endpoint.js'
import type { LevelWithSilent } from 'pino'
import { createLogger } from '../../src/log/logger.js'
import { captureConsole } from '../../src/log/console-capture.js'
import { installComlinkErrorHandler, setWireLog } from '../../src/errors/wire.js'
import type { WaWorkerApi, WaWorkerOptions, WaWorkerEvent, WaMainMessage } from '../../src/wa/worker-api.js'
import { Session } from './session.js'
import { downloadMedia } from './media.js'
import { installTrialDecrypt } from './signal-trial-decrypt.js'

const { options, events } = workerData as { options: WaWorkerOptions; events: MessagePort }
installComlinkErrorHandler()
// before any session is read: a failed decrypt attempt must never change a session (see the module)
installTrialDecrypt()
const log = createLogger((process.env.LOG_LEVEL ?? 'info') as LevelWithSilent, { thread: 'wa-worker', account: options.accountId })
// libsignal prints whole Signal sessions, keys included, with console.info (see console-capture.ts)
captureConsole(log)
setWireLog(log)
const emit = (e: WaWorkerEvent): void => events.postMessage(e)
const session = new Session(options, emit, log)

// the heartbeat proves this event loop is alive; the supervisor restarts the worker when it stops
const LAG_RESOLUTION_MS = 20
const lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS })
lag.enable()
setInterval(() => {
  emit({ type: 'heartbeat', at: Date.now(), eventLoopLagMs: Math.max(0, Math.round(lag.max / 1e6 - LAG_RESOLUTION_MS)) })
  lag.reset()
}, options.heartbeatIntervalMs).unref()

process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection in the WhatsApp worker'))

const api: WaWorkerApi = {
  async start() {
    session.start()
  },
  stop: () => session.stop(),
  status: () => session.getStatus(),
  ping: () => Date.now(),
  requestPairingCode: (phone) => session.requestPairingCode(phone),
  logout: () => session.logout(),
  forceResync: () => session.chats.forceResync(),
  reconnect: () => session.reconnect(),
  sendText: (req) => session.sending.text(req),
  sendMedia: (req) => session.sending.media(req),
  sendReaction: (req) => session.actions.react(req),
  editMessage: (req) => session.actions.edit(req),
  deleteMessage: (req) => session.actions.delete(req),
  forwardMessage: (req) => session.actions.forward(req),
  sendLocation: (req) => session.actions.location(req),
  sendContacts: (req) => session.actions.contacts(req),
  sendPoll: (req) => session.actions.poll(req),
  markRead: (req) => session.actions.markRead(req),
  sendPresence: (req) => session.actions.presence(req),
  downloadMedia: (req) => downloadMedia(session.host, session.baileysLog, req),
  groupMetadata: (jid) => session.groups.metadata(jid),
  groupsParticipating: () => session.groups.participating(),
  groupCreate: (req) => session.groups.create(req),
  groupParticipants: (req) => session.groups.participants(req),
  groupUpdate: (req) => session.groups.update(req),
  groupInviteCode: (req) => session.groups.inviteCode(req),
  groupInvitePreview: (code) => session.groups.invitePreview(code),
  groupJoin: (code) => session.groups.join(code),
  groupLeave: (jid) => session.groups.leave(jid),
  groupJoinRequests: (req) => session.groups.joinRequests(req),
  chatModify: (req) => session.chats.modify(req),
  blockContact: (req) => session.account.block(req),
  updateProfile: (req) => session.account.updateProfile(req),
  votePoll: (req) => session.actions.votePoll(req),
  profilePictureUrl: (jid) => session.account.profilePictureUrl(jid),
  onWhatsApp: (phones) => session.actions.onWhatsApp(phones)
}
events.on('message', (m: WaMainMessage) => {
  if (m.type === 'committed') session.committed(m.seq)
})

// test hooks for the fault matrix: a crash and a blocked event loop, only when the supervisor allows them
if (process.env.WA_WORKER_FAULTS === '1') {
  Object.assign(api, {
    crash: () => setImmediate(() => { throw new Error('injected worker crash') }),
    block: (ms: number) => setImmediate(() => { const end = Date.now() + ms; while (Date.now() < end); })
  })
}

Comlink.expose(api, nodeEndpoint(parentPort!))

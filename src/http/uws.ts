// uWebSockets.js silently falls back to a slow JavaScript implementation when its native binary cannot
// load. Load it here, once, and record which one runs, so start-up can log it and tests can refuse it.
import { createRequire } from 'node:module'
import type * as UWS from 'uWebSockets.js'

const require = createRequire(import.meta.url)
const uws = require('uWebSockets.js') as typeof UWS

/** true when the native binary (not the JavaScript fallback) is what runs */
export const uwsNative: boolean = Object.keys(require.cache).some((k) => /[\\/]binaries[\\/]uws_[^\\/]+\.node$/.test(k))

export default uws
export type { HttpRequest, HttpResponse, TemplatedApp, us_listen_socket, WebSocket as UwsWebSocket } from 'uWebSockets.js'

// Entry point: `npm start`. Validates the configuration, starts the server, stops cleanly on a signal.
import './app/heap-flags.js'
import { loadConfig } from './config/load-config.js'
import { createLogger } from './log/logger.js'
import { captureConsole } from './log/console-capture.js'
import { startServer } from './app/server.js'
import { AppError } from './errors/app-error.js'

let config
try {
  config = loadConfig()
} catch (err) {
  process.stderr.write(`${err instanceof AppError ? err.message : String(err)}\n`)
  process.exit(78)
}
const log = createLogger(config.LOG_LEVEL, { thread: 'main' })
captureConsole(log)
// a start-up failure we know (the port is taken, no uWS binary loads) is one line, not a stack trace
const server = await startServer(config, log).catch((err: unknown) => {
  if (!(err instanceof AppError)) throw err
  process.stderr.write(`${err.message}\n`)
  process.exit(78)
})
let stopping = false
const stop = async (signal: string): Promise<void> => {
  if (stopping) {
    // a second signal: the operator does not want to wait
    log.warn({ signal }, 'second signal: exiting now')
    process.exit(1)
  }
  stopping = true
  log.info({ signal }, 'shutting down')
  const force = setTimeout(() => process.exit(1), 10_000)
  force.unref()
  await server.stop()
  process.exit(0)
}
process.on('SIGINT', () => void stop('SIGINT'))
process.on('SIGTERM', () => void stop('SIGTERM'))
process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection'))

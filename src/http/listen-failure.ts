// uWS's listen callback says only that listening failed, not why. Binding the same address with node:net
// tells the common case (another process has the port) apart from the rest, so start-up can say it in one
// line instead of a stack trace.
import { createServer } from 'node:net'
import { AppError } from '../errors/app-error.js'

/** The error to stop start-up with after uWS could not listen on host:port: PORT_IN_USE or CONFIG_INVALID. */
export function listenFailure(host: string, port: number): Promise<AppError> {
  return new Promise((resolve) => {
    const probe = createServer()
    probe.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') resolve(new AppError('PORT_IN_USE', `Port ${port} on ${host} is in use by another process: stop it or set PORT to a free port.`, { host, port }))
      else resolve(new AppError('CONFIG_INVALID', `Cannot listen on ${host}:${port}: ${err.code ?? err.message}.`, { host, port }))
    })
    probe.listen(port, host, () => probe.close(() => resolve(new AppError('CONFIG_INVALID', `Cannot listen on ${host}:${port}.`, { host, port }))))
  })
}

/**
 * Before start-up opens anything: throws what listenFailure says when host:port cannot be bound now
 * (PORT_IN_USE, CONFIG_INVALID), so the refusal comes before any thread is started. The listen itself
 * still checks, for a port taken in between.
 */
export async function assertPortFree(host: string, port: number): Promise<void> {
  const free = await new Promise<boolean>((resolve) => {
    const probe = createServer()
    probe.once('error', () => resolve(false))
    probe.listen(port, host, () => probe.close(() => resolve(true)))
  })
  if (!free) throw await listenFailure(host, port)
}

// libsignal prints whole session records, private and root keys included, to the console when it opens or
// closes a session. The server routes its console through the redacting logger (src/log/console-capture.ts);
// a process that runs emulated people (the emulator, a test, the crash check) drops those lines instead,
// so no key of theirs reaches a test log. Everything else printed goes through.
// the decrypt failures among them are not lost: the emulator logs its own and emits them as decrypt-error
const NOISY = /^(Closing session|Closing open session|Opening session|Removing old closed session|Session already|Migrating session|Decrypted message with closed session|Failed to decrypt message with any known session|Session error)/

/** drops libsignal's session lines from this thread's console (signal-identity.ts does, as it loads) */
export function quietSignal(): void {
  for (const k of ['log', 'info', 'warn', 'error'] as const) {
    const orig = console[k].bind(console)
    console[k] = (...args: unknown[]) => {
      if (typeof args[0] === 'string' && NOISY.test(args[0])) return
      orig(...args)
    }
  }
}

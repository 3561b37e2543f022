/**
 * Whatever a lab leaves in the kernel or on disk must go even when the process ends early: a test run
 * interrupted with Ctrl-C, a CI job cancelled with SIGTERM, an uncaught error. Cleanups registered here
 * run synchronously when the process exits; these signals are turned into such an exit.
 */
const cleanups = new Set<() => void>();

process.on('exit', () => {
  for (const cleanup of cleanups) {
    try {
      cleanup();
    } catch {
      // keep cleaning up the rest
    }
  }
});
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
] as const) {
  process.on(signal, () => process.exit(code));
}

/** Registers a synchronous cleanup; the returned function unregisters it (after a normal teardown, or to keep things). */
export function cleanupOnExit(cleanup: () => void): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

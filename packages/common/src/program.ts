import { createLogger, Logger, TimestampStyle } from './log';
import { oneLine } from './errors';
import { SHARED_VARIABLES } from './config/variables';

/**
 * Runs a program's command and turns every failure into exit code 1 with exactly one line on stderr,
 * formatted like our other log lines (the container log pipeline parses every line by its timestamp).
 */
export async function runProgram(style: TimestampStyle, body: (log: Logger) => Promise<number | void>): Promise<void> {
  const log = createLogger({ style, debug: process.env[SHARED_VARIABLES.DEBUG.name] === 'true' });
  const errLog = createLogger({ style, write: (line) => process.stderr.write(line + '\n') });
  // A long-running command (the HA controllers) handles its failures where they occur; anything that still
  // escapes leaves the process in an unknown state, so it exits 1 and Kubernetes restarts the container.
  const crash = (err: unknown): never => {
    errLog.error(`unexpected error: ${oneLine(err)}`);
    process.exit(1);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  try {
    const code = await body(log);
    process.exitCode = code ?? 0;
  } catch (err) {
    errLog.error(oneLine(err));
    process.exitCode = 1;
  }
}

/** Resolves on the first SIGTERM or SIGINT: long-running commands stop cleanly; a second signal exits at once. */
export function untilTerminated(): Promise<string> {
  return new Promise((resolve) => {
    const onSignal = (sig: string): void => {
      process.once('SIGTERM', () => process.exit(1));
      process.once('SIGINT', () => process.exit(1));
      resolve(sig);
    };
    process.once('SIGTERM', () => onSignal('SIGTERM'));
    process.once('SIGINT', () => onSignal('SIGINT'));
  });
}

/** The probe subcommands' whole job: read the status file, judge it, never throw. */
import { InputError, oneLine } from '../errors';
import { readStatusFile, StatusFileFormatError, type StatusFile } from '../openvpn/status-file';
import { HealthResult, isAlive, isReady } from './probes';

export type ProbeKind = 'liveness' | 'readiness';

/**
 * OpenVPN rewrites the status file in place in well under this time; a read that caught a rewrite halfway
 * (cut short, or garbled) succeeds when repeated after it.
 */
export const TORN_READ_RETRY_MS = 100;

export interface HealthCheckOptions {
  isHA: boolean;
  now?: () => Date;
  /** The pause before a torn file is read again; tests pass one that finishes OpenVPN's rewrite or does nothing. */
  sleep?: (ms: number) => Promise<void>;
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Reads the file, and once more after a pause if its content is not a status; a second failure names both reads. */
async function readSettled(statusPath: string, sleep: (ms: number) => Promise<void>): Promise<StatusFile> {
  try {
    return await readStatusFile(statusPath);
  } catch (err) {
    if (!(err instanceof StatusFileFormatError)) throw err;
  }
  await sleep(TORN_READ_RETRY_MS);
  try {
    return await readStatusFile(statusPath);
  } catch (err) {
    if (!(err instanceof StatusFileFormatError)) throw err;
    throw new InputError(statusPath, `not a complete status file, read twice ${TORN_READ_RETRY_MS} ms apart: ${err.problem}`);
  }
}

/** A missing or unparsable status file is "not alive" / "not ready", with the reason naming the file. */
export async function checkHealth(
  statusPath: string,
  kind: ProbeKind,
  { isHA, now = () => new Date(), sleep = pause }: HealthCheckOptions,
): Promise<HealthResult> {
  try {
    const file = await readSettled(statusPath, sleep);
    return kind === 'liveness' ? isAlive(file, now()) : isReady(file, { isHA });
  } catch (err) {
    return { ok: false, reason: oneLine(err) };
  }
}

/** The probe subcommands' whole job: read the status file, judge it, never throw. */
import { oneLine } from '../errors';
import { parseStatusFile } from '../openvpn/status';
import { HealthResult, isAlive, isReady } from './probes';

export type ProbeKind = 'liveness' | 'readiness';

export interface HealthCheckOptions {
  isHA: boolean;
  now?: () => Date;
}

/** A missing or unparsable status file is "not alive" / "not ready", with the reason naming the file. */
export async function checkHealth(statusPath: string, kind: ProbeKind, { isHA, now = () => new Date() }: HealthCheckOptions): Promise<HealthResult> {
  try {
    const status = await parseStatusFile(statusPath);
    return kind === 'liveness' ? isAlive(status, now()) : isReady(status, { isHA });
  } catch (err) {
    return { ok: false, reason: oneLine(err) };
  }
}

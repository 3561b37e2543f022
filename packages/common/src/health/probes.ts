/**
 * Liveness and readiness of the vpn-seed-server, judged from OpenVPN's status file as the Go vpn2 probes
 * do, plus rules for files they misjudge: empty, or dated in the future. Both take the file's content
 * and the time as values, so they are pure.
 */
import type { OpenVpnStatus } from '../openvpn/status';
import type { StatusFile } from '../openvpn/status-file';

/** Why a probe passed or failed; the CLI logs `reason` and exits by `ok`. */
export interface HealthResult {
  ok: boolean;
  reason: string;
}

/** The server config writes `status <path> 15`. */
export const STATUS_UPDATE_INTERVAL_SECONDS = 15;
/** Slack on top of the interval for OpenVPN's write and the probe's own scheduling. */
const STALENESS_GRACE_SECONDS = 2;
/**
 * How far the TIME line may lie ahead of the probe's clock. Both read the same clock (the probe runs in
 * OpenVPN's container), so a later TIME means the clock was stepped back or the file is not OpenVPN's;
 * taking it as fresh would hide a hung OpenVPN until the clock caught up. 2 s forgives a small step.
 */
export const STATUS_CLOCK_SKEW_SECONDS = 2;

const NOT_WRITTEN = 'the status file is empty: OpenVPN has not written its first status yet';

export const SHOOT_CLIENT_PREFIX = 'vpn-shoot-client';
export const SEED_CLIENT_PREFIX = 'vpn-seed-client';

/**
 * Alive = OpenVPN still rewrites its status file: its TIME is at most interval + 2 s old and at most
 * STATUS_CLOCK_SKEW_SECONDS ahead of now. Only freshness counts: a connection that has not finished TLS
 * must never get a working server restarted (reference fix d8eb731). An empty file is not alive.
 */
export function isAlive(file: StatusFile, now: Date, updateIntervalSeconds = STATUS_UPDATE_INTERVAL_SECONDS): HealthResult {
  if (!file.written) return { ok: false, reason: NOT_WRITTEN };
  const { status } = file;
  if (status.updatedAt === null) return { ok: false, reason: 'OpenVPN status is stale: the status file has no TIME line' };
  const limitSeconds = updateIntervalSeconds + STALENESS_GRACE_SECONDS;
  const ageSeconds = (now.getTime() - status.updatedAt.getTime()) / 1000;
  if (ageSeconds > limitSeconds) {
    return { ok: false, reason: `OpenVPN status is stale: updated ${ageSeconds}s ago, limit ${limitSeconds}s` };
  }
  if (-ageSeconds > STATUS_CLOCK_SKEW_SECONDS) {
    return {
      ok: false,
      reason: `OpenVPN status is dated ${-ageSeconds}s in the future, more than the ${STATUS_CLOCK_SKEW_SECONDS}s clock skew allowed`,
    };
  }
  return { ok: true, reason: `OpenVPN status updated ${ageSeconds}s ago` };
}

export interface ReadinessOptions {
  isHA: boolean;
}

function describeClients(status: OpenVpnStatus): string {
  const names = status.clients.map((c) => c.commonName);
  return names.length === 0 ? 'no clients connected' : `${names.length} connected: ${names.join(', ')}`;
}

/**
 * non-HA: ready with zero clients (just rolled out; the shoot connects later), an empty file included
 * (OpenVPN writes the first status one interval after start, and the shoot must be able to connect before
 * that), or once a shoot client is connected. HA: at least two connections, among them a seed client and
 * a shoot client. Half-open connections (CN `UNDEF`) count as clients but match neither prefix.
 */
export function isReady(file: StatusFile, { isHA }: ReadinessOptions): HealthResult {
  if (!file.written) {
    return isHA
      ? { ok: false, reason: `HA needs at least 2 clients (${NOT_WRITTEN})` }
      : { ok: true, reason: `${NOT_WRITTEN}, the shoot client will connect later` };
  }
  const { status } = file;
  const count = status.clients.length;
  const has = (prefix: string): boolean => status.clients.some((c) => c.commonName.startsWith(prefix));
  const connected = describeClients(status);
  if (isHA) {
    if (count < 2) return { ok: false, reason: `HA needs at least 2 clients (${connected})` };
    if (!has(SEED_CLIENT_PREFIX)) return { ok: false, reason: `no seed client connected yet (${connected})` };
    if (!has(SHOOT_CLIENT_PREFIX)) return { ok: false, reason: `no shoot client connected yet (${connected})` };
    return { ok: true, reason: connected };
  }
  if (count === 0) return { ok: true, reason: 'no clients connected yet, the shoot client will connect later' };
  if (!has(SHOOT_CLIENT_PREFIX)) return { ok: false, reason: `no shoot client connected yet (${connected})` };
  return { ok: true, reason: connected };
}

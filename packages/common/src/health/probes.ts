/**
 * Liveness and readiness of the vpn-seed-server, judged from OpenVPN's status file as the reference does
 * (gardener/vpn2 pkg/openvpn/health/). Both take the parsed status and the time as values, so they are pure.
 */
import type { OpenVpnStatus } from '../openvpn/status';

/** Why a probe passed or failed; the CLI logs `reason` and exits by `ok`. */
export interface HealthResult {
  ok: boolean;
  reason: string;
}

/** The server config writes `status <path> 15`. */
export const STATUS_UPDATE_INTERVAL_SECONDS = 15;
/** Slack on top of the interval for OpenVPN's write and the probe's own scheduling. */
const STALENESS_GRACE_SECONDS = 2;

export const SHOOT_CLIENT_PREFIX = 'vpn-shoot-client';
export const SEED_CLIENT_PREFIX = 'vpn-seed-client';

/**
 * Alive = OpenVPN still rewrites its status file. Only freshness counts: a connection that has not finished
 * TLS must never get a working server restarted (reference fix d8eb731).
 */
export function isAlive(status: OpenVpnStatus, now: Date, updateIntervalSeconds = STATUS_UPDATE_INTERVAL_SECONDS): HealthResult {
  if (status.updatedAt === null) return { ok: false, reason: 'OpenVPN status is stale: the status file has no TIME line' };
  const limitSeconds = updateIntervalSeconds + STALENESS_GRACE_SECONDS;
  const ageSeconds = (now.getTime() - status.updatedAt.getTime()) / 1000;
  if (ageSeconds > limitSeconds) {
    return { ok: false, reason: `OpenVPN status is stale: updated ${ageSeconds}s ago, limit ${limitSeconds}s` };
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
 * non-HA: ready with zero clients (just rolled out; the shoot connects later) or once a shoot client is
 * connected. HA: at least two connections, among them a seed client and a shoot client. Half-open
 * connections (CN `UNDEF`) count as clients but match neither prefix.
 */
export function isReady(status: OpenVpnStatus, { isHA }: ReadinessOptions): HealthResult {
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

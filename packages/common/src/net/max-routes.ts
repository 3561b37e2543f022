import type { Cidr } from './cidr';

const MIN_ROUTES = 256n;
const MAX_ROUTES = 1n << 20n;

/**
 * OpenVPN's `max-routes-per-client`: the host count of all shoot networks, clamped to [256, 2^20].
 * Host counts as the reference takes them: IPv4 2^(32-p) - 2 up to /30, 2 for /31, 1 for /32; IPv6 2^(128-p).
 */
export function maxRoutesPerClient(networks: readonly Cidr[]): number {
  const total = networks.reduce((sum, network) => sum + hostCount(network), 0n);
  if (total < MIN_ROUTES) return Number(MIN_ROUTES);
  if (total > MAX_ROUTES) return Number(MAX_ROUTES);
  return Number(total);
}

function hostCount(network: Cidr): bigint {
  if (network.family === 'IPv6') return network.size;
  if (network.prefixLength === 32) return 1n;
  if (network.prefixLength === 31) return 2n;
  return network.size - 2n;
}

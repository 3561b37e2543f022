import type { Cidr, Ip } from '@vpn/common';
import { tapName, type PathId } from './path';
import type { RouteSpec } from './ports';

/**
 * The seed side's routes: every shoot network (IPv4 ones too) via the IPv6 address of the shoot client on
 * the active path, through that server's tap; over several active paths (balance-rr), one multipath route.
 */
export function shootNetworkRoutes(
  shootNetworks: readonly Cidr[],
  active: readonly PathId[],
  shootClientAddress: (path: PathId) => Ip,
): RouteSpec[] {
  const hops = active.map((path) => ({ dev: tapName(path.server), via: shootClientAddress(path).toString() }));
  if (hops.length === 0) return [];
  return shootNetworks.map((network) => {
    const dst = network.toString();
    return hops.length === 1 ? { dst, ...hops[0] } : { dst, nexthops: hops };
  });
}

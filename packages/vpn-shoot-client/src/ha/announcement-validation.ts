import { Cidr, haPoolStart, haServerSlice, RESERVED_RANGES, type Ip } from '@vpn/common';
import { MAX_HA_SERVERS } from './path';

export interface AnnouncementScope {
  vpnNetwork: Cidr;
  /** SEED_POD_NETWORK when given: announced pod IPs must lie in it or in 241.0.0.0/8. */
  seedPodNetwork: Cidr | undefined;
  /** The shoot's own networks: a route for one of their addresses into the tunnel would hijack shoot traffic. */
  shootNetworks: readonly Cidr[];
}

/** Addresses that are no unicast destination a seed pod can have. */
const NOT_UNICAST = [
  '0.0.0.0/8',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '224.0.0.0/4',
  '255.255.255.255/32',
  '::/128',
  '::1/128',
  'fe80::/10',
  'ff00::/8',
].map((text) => Cidr.parse(text));

/**
 * The server whose tunnel `sender` came through: the server slice of VPN_NETWORK holding it, when it is a
 * seed client's pool address there (from `…::10s:1000`). Anything else, e.g. a shoot client or a server
 * address, is no path controller and gets neither an echo nor a route.
 */
export function senderServer(scope: AnnouncementScope, sender: Ip): number | undefined {
  for (let server = 0; server < MAX_HA_SERVERS; server++) {
    if (!haServerSlice(scope.vpnNetwork, server).contains(sender)) continue;
    return sender.value >= haPoolStart(scope.vpnNetwork, server).value ? server : undefined;
  }
  return undefined;
}

/**
 * Why the shoot must not route `pod` back into the tunnel, or undefined when it may. `endpoints` are the
 * current addresses of ENDPOINT: a return route to one of them would carry the tunnels into themselves.
 */
export function podProblem(scope: AnnouncementScope, pod: Ip, endpoints: readonly Ip[] = []): string | undefined {
  if (NOT_UNICAST.some((range) => range.contains(pod))) return `${pod.toString()} is not a unicast address`;
  if (scope.vpnNetwork.contains(pod)) return `${pod.toString()} lies in VPN_NETWORK ${scope.vpnNetwork.toString()}`;
  const shoot = scope.shootNetworks.find((network) => network.contains(pod));
  if (shoot !== undefined) return `${pod.toString()} lies in the shoot network ${shoot.toString()}`;
  if (endpoints.some((endpoint) => endpoint.equals(pod))) return `${pod.toString()} is an address of the endpoint`;
  const seed = scope.seedPodNetwork;
  if (seed !== undefined && !seed.contains(pod) && !RESERVED_RANGES.seedPods.contains(pod)) {
    return `${pod.toString()} lies neither in SEED_POD_NETWORK ${seed.toString()} nor in ${RESERVED_RANGES.seedPods.toString()}`;
  }
  return undefined;
}

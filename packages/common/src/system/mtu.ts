import type { Netlink, Route } from '../netlink';

/** IPv6 header 40 + TCP 40 + OpenVPN/TLS framing ~50 (as gardener/vpn2 pkg/network/mtu.go). */
export const TUNNEL_OVERHEAD = 130;
/** The IPv6 minimum MTU: the transfer network is IPv6. */
export const MIN_TUNNEL_MTU = 1280;

export function tunnelMtu(defaultRouteMtu: number): number {
  return Math.max(defaultRouteMtu - TUNNEL_OVERHEAD, MIN_TUNNEL_MTU);
}

const isDefaultRoute = (r: Route): boolean => r.dst === '0.0.0.0/0' || r.dst === '::/0';

const reason = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * The tunnel MTU for `OPENVPN_AUTO_MTU`: the first default route of the main table (IPv4 before IPv6),
 * the MTU of its device, minus the tunnel overhead.
 */
export async function detectTunnelMtu(netlink: Pick<Netlink, 'listRoutes' | 'getLinkByIndex'>): Promise<number> {
  const fail = (problem: string): Error => new Error(`failed to detect tunnel MTU: ${problem}`);
  let routes: Route[];
  try {
    routes = await netlink.listRoutes();
  } catch (err) {
    throw fail(`failed to list routes: ${reason(err)}`);
  }
  const route = routes.find(isDefaultRoute);
  if (!route) throw fail('failed to find default route');
  const oif = route.oif ?? route.nexthops?.[0]?.oif;
  if (oif === undefined) throw fail(`failed to find default route interface: route ${route.dst} has no device`);
  let link;
  try {
    link = await netlink.getLinkByIndex(oif);
  } catch (err) {
    throw fail(`failed to find default route interface: ${reason(err)}`);
  }
  if (!link) throw fail(`failed to find default route interface: no link with index ${oif}`);
  return tunnelMtu(link.mtu);
}

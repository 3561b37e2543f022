import type { ShootNetworks } from '../config/shared';
import type { Cidr } from '../net/cidr';
import { RESERVED_RANGES } from '../net/reserved';

/** The reference's overlap rule: SEED_POD_NETWORK overlaps any shoot service, pod or node network. */
export function seedOverlapsShoot(seedPodNetwork: Cidr | undefined, shoot: ShootNetworks): boolean {
  if (seedPodNetwork === undefined) return false;
  return [...shoot.services, ...shoot.pods, ...shoot.nodes].some((network) => network.overlaps(seedPodNetwork));
}

/**
 * The shoot networks as routed through the tunnel: with `netmapped`, every IPv4 network is replaced by its
 * kind's reserved /8 (services 243, pods 244, nodes 242); IPv6 networks stay. Sorted by plain string
 * comparison and de-duplicated, as the reference does; the order is visible in the `up` line and ccd files.
 */
export function routedShootNetworks(shoot: ShootNetworks, netmapped: boolean): Cidr[] {
  const collapse = (networks: Cidr[], range: Cidr): Cidr[] =>
    networks.map((network) => (netmapped && network.family === 'IPv4' ? range : network));
  const all = [
    ...collapse(shoot.services, RESERVED_RANGES.shootServices),
    ...collapse(shoot.pods, RESERVED_RANGES.shootPods),
    ...collapse(shoot.nodes, RESERVED_RANGES.shootNodes),
  ];
  const byText = new Map(all.map((network) => [network.toString(), network]));
  return [...byText.keys()].sort().map((text) => byText.get(text) as Cidr);
}

import type { PathControllerSettings } from '../config/path-controller-settings';
import type { Cidr } from '../net/cidr';
import type { Ip } from '../net/ip';
import { netmapIp } from '../net/netmap';
import { RESERVED_RANGES } from '../net/reserved';
import { shootNetmapPairs } from './netmap-pairs';
import { routedShootNetworks, seedOverlapsShoot } from './shoot-routes';

export interface PathControllerPlan {
  overlap: boolean;
  /** Routed over the active path: IPv4 shoot networks as their /8s on overlap, else as they are. */
  shootRoutes: Cidr[];
  /** The pod IP the shoot must route back to: mapped into 241.0.0.0/8 when IPv4 and overlapping. */
  announcedPodIp: Ip;
}

/** On overlap the shoot networks must fit their /8s, which is checked here (an InputError otherwise). */
export function pathControllerPlan(settings: PathControllerSettings): PathControllerPlan {
  const overlap = seedOverlapsShoot(settings.seedPodNetwork, settings.shootNetworks);
  if (overlap) shootNetmapPairs(settings.shootNetworks);
  const podIp = settings.podIp;
  return {
    overlap,
    shootRoutes: routedShootNetworks(settings.shootNetworks, overlap),
    announcedPodIp: overlap && podIp.family === 'IPv4' ? netmapIp(podIp, RESERVED_RANGES.seedPods) : podIp,
  };
}

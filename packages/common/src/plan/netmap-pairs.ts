import { SHOOT_NETWORK_VARIABLES, type ShootNetworks } from '../config/shared';
import { InputError } from '../errors';
import { shootNetworksForNetmap, ShootNetmapError, type NetmapEntry, type ShootNetworkKind } from '../net/netmap';

const VARIABLE_OF_KIND: Readonly<Record<ShootNetworkKind, string>> = {
  pod: SHOOT_NETWORK_VARIABLES.pods,
  service: SHOOT_NETWORK_VARIABLES.services,
  node: SHOOT_NETWORK_VARIABLES.nodes,
};

/** The per-network NETMAP of the shoot's IPv4 networks; a list that does not fit its /8 is an InputError. */
export function shootNetmapPairs(shoot: ShootNetworks): NetmapEntry[] {
  try {
    return shootNetworksForNetmap(shoot.pods, shoot.services, shoot.nodes);
  } catch (err) {
    if (err instanceof ShootNetmapError) throw new InputError(VARIABLE_OF_KIND[err.kind], err.message);
    throw err;
  }
}

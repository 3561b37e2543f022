import type { ClientSettings } from '../config/client-settings';
import { RESERVED_RANGES } from '../net/reserved';
import { MANAGEMENT_PORT_BASE } from '../ha-ports';
import type { ClientConfigValues } from '../openvpn/values';
import type { NetmapEntry } from '../net/netmap';
import { shootNetmapPairs } from './netmap-pairs';
import { seedOverlapsShoot } from './shoot-routes';

export interface ClientRuntime {
  secretsDir: string;
  /** 0 = OpenVPN's default. */
  tunMtu: number;
}

/** The connect relay listens on 127.0.0.1; HA shoot clients of one pod share it, so each server has its own port. */
export const RELAY_HOST = '127.0.0.1';
const RELAY_PORT_BASE = 9505;

export function clientConfigValues(settings: ClientSettings, runtime: ClientRuntime): ClientConfigValues {
  const serverIndex = settings.vpnServerIndex;
  return {
    device: serverIndex === undefined ? 'tun0' : `tap${serverIndex}`,
    tunMtu: runtime.tunMtu,
    ipFamilies: settings.ipFamilies,
    isShootClient: settings.isShootClient,
    isHA: settings.ha !== undefined,
    clientIndex: settings.clientIndex,
    secretsDir: runtime.secretsDir,
    endpoint: settings.endpoint,
    openvpnPort: settings.openvpnPort,
    reversedVpnHeaderKey: settings.reversedVpnHeaderKey,
    reversedVpnHeader: settings.reversedVpnHeader,
    managementPort: MANAGEMENT_PORT_BASE + (serverIndex ?? 0),
    relayPort: RELAY_PORT_BASE + (serverIndex ?? 0),
    seedPodNetwork: upHookSeedRoute(settings),
  };
}

/** In non-HA the seed pod network reaches the shoot as 241.0.0.0/8 when it is IPv4. */
function upHookSeedRoute(settings: ClientSettings): string {
  const seed = settings.seedPodNetwork;
  if (seed === undefined) return '';
  return settings.ha === undefined && seed.family === 'IPv4' ? RESERVED_RANGES.seedPods.toString() : seed.toString();
}

/** The IPv4 NETMAP a client installs (as gardener/vpn2 pkg/vpn_client/iptables.go). */
export interface ClientNetmap {
  /** SEED_POD_NETWORK overlaps a shoot service, pod or node network. */
  overlap: boolean;
  /**
   * Whether the shoot networks are netmapped: a shoot client always in non-HA and in HA only on overlap,
   * a seed client only on overlap; never without IPv4 in IP_FAMILIES.
   */
  apply: boolean;
  /** Per IPv4 shoot network; empty unless `apply`. */
  shootNetworks: NetmapEntry[];
  /** A seed client's own pod network into 241.0.0.0/8, when `apply` and the seed pod network is IPv4. */
  seedPodNetwork: NetmapEntry | undefined;
}

export function clientNetmap(settings: ClientSettings): ClientNetmap {
  const overlap = seedOverlapsShoot(settings.seedPodNetwork, settings.shootNetworks);
  const wanted = settings.isShootClient ? settings.ha === undefined || overlap : overlap;
  const apply = wanted && settings.ipFamilies.includes('IPv4');
  const seed = settings.seedPodNetwork;
  return {
    overlap,
    apply,
    shootNetworks: apply ? shootNetmapPairs(settings.shootNetworks) : [],
    seedPodNetwork:
      apply && !settings.isShootClient && seed?.family === 'IPv4' ? { source: seed, mapped: RESERVED_RANGES.seedPods } : undefined,
  };
}

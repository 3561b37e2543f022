import type { ServerSettings } from '../config/server-settings';
import { haServerSlice } from '../net/ha-address-plan';
import { maxRoutesPerClient } from '../net/max-routes';
import type { ServerConfigValues } from '../openvpn/values';
import type { NetmapEntry } from '../net/netmap';
import { shootNetmapPairs } from './netmap-pairs';
import { routedShootNetworks, seedOverlapsShoot } from './shoot-routes';

/** Inputs that come from flags and the machine rather than the environment. */
export interface ServerRuntime {
  secretsDir: string;
  clientConfigDir: string;
  hookCommand: string;
  /** 0 = OpenVPN's default. */
  tunMtu: number;
}

/**
 * The reference's BuildValues. IPv4 shoot networks are netmapped into their /8s always in non-HA, and in
 * HA only when the seed pod network overlaps a shoot network.
 */
export function serverConfigValues(settings: ServerSettings, runtime: ServerRuntime): ServerConfigValues {
  const { ha, shootNetworks, vpnNetwork } = settings;
  const netmapped = ha === undefined || seedOverlapsShoot(settings.seedPodNetwork, shootNetworks);
  return {
    device: ha === undefined ? 'tun0' : 'tap0',
    isHA: ha !== undefined,
    vpnIndex: ha?.serverIndex ?? -1,
    openvpnNetwork: (ha === undefined ? vpnNetwork : haServerSlice(vpnNetwork, ha.serverIndex)).toString(),
    shootNetworks: routedShootNetworks(shootNetworks, netmapped).map(String),
    seedPodNetwork: settings.seedPodNetwork?.toString() ?? '',
    maxRoutesPerClient: maxRoutesPerClient([...shootNetworks.services, ...shootNetworks.pods, ...shootNetworks.nodes]),
    haVpnClients: ha?.vpnClients ?? -1,
    tunMtu: runtime.tunMtu,
    statusPath: settings.openvpnStatusPath,
    secretsDir: runtime.secretsDir,
    clientConfigDir: runtime.clientConfigDir,
    hookCommand: runtime.hookCommand,
  };
}

/**
 * The NETMAP rules of the server root command (nat OUTPUT, envoy traffic to the real shoot networks):
 * non-HA only; an HA server only switches frames between its clients.
 */
export function serverNetmapPairs(settings: ServerSettings): NetmapEntry[] {
  return settings.ha === undefined ? shootNetmapPairs(settings.shootNetworks) : [];
}

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
 * An HA server runs in tap mode, where OpenVPN's per-client routes are the MAC addresses it learned from the
 * client's frames: one per client tap. The headroom covers a tap whose address changes during a connection
 * (the old entry stays until the client disconnects); the bound keeps a shoot client that forges source
 * addresses from filling the server's table (frames from addresses beyond it are dropped).
 */
export const HA_MAX_ROUTES_PER_CLIENT = 4;

/**
 * Connections an HA server admits besides one per shoot client: every kube-apiserver pod of the control plane
 * holds one (a handful, twice as many during a rolling update), a connection whose peer vanished without
 * closing it lingers until the 60 s keepalive timeout, and OpenVPN counts connections still in their TLS
 * handshake too. 32 covers that several times over and still bounds what connections can hold on the server.
 */
export const HA_SEED_CLIENT_CONNECTIONS = 32;

/**
 * The reference's BuildValues. IPv4 shoot networks are netmapped into their /8s always in non-HA, and in
 * HA only when the seed pod network overlaps a shoot network. An HA server routes nothing into its tap: the
 * path controller in each kube-apiserver pod routes the shoot networks via the shoot client it picks.
 */
export function serverConfigValues(settings: ServerSettings, runtime: ServerRuntime): ServerConfigValues {
  const { ha, shootNetworks, vpnNetwork } = settings;
  const netmapped = ha === undefined || seedOverlapsShoot(settings.seedPodNetwork, shootNetworks);
  const routed = routedShootNetworks(shootNetworks, netmapped).map(String);
  return {
    device: ha === undefined ? 'tun0' : 'tap0',
    isHA: ha !== undefined,
    vpnIndex: ha?.serverIndex ?? -1,
    openvpnNetwork: (ha === undefined ? vpnNetwork : haServerSlice(vpnNetwork, ha.serverIndex)).toString(),
    shootNetworks: routed,
    upHookRoutes: ha === undefined ? routed : [],
    seedPodNetwork: settings.seedPodNetwork?.toString() ?? '',
    maxRoutesPerClient:
      ha === undefined
        ? maxRoutesPerClient([...shootNetworks.services, ...shootNetworks.pods, ...shootNetworks.nodes])
        : HA_MAX_ROUTES_PER_CLIENT,
    maxClients: ha === undefined ? 0 : ha.vpnClients + HA_SEED_CLIENT_CONNECTIONS,
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

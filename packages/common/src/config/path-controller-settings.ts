import type { Cidr } from '../net/cidr';
import type { Ip } from '../net/ip';
import { InputError } from '../errors';
import { EnvReader } from './env-reader';
import { readCount, readShootNetworks, readVpnNetwork, requireHaClientCount, type BondingMode, type ShootNetworks } from './shared';
import { SHOOT_CLIENT_ENVIRONMENT as V } from './shoot-client-environment';

/**
 * `/metrics` of the path controller. The kube-apiserver pod's other ports are the kube-apiserver's 443 and
 * nothing else of ours; 15000 is the exporter's in the server pod and 15001 Istio's outbound capture port.
 */
export const DEFAULT_PATH_METRICS_PORT = Number(V.METRICS_PORT.default);

/** Settings of the seed-side path controller (kube-apiserver sidecar), gardener/vpn2 pkg/config/pathcontroller.go. */
export interface PathControllerSettings {
  vpnNetwork: Cidr;
  /** HA_VPN_CLIENTS: shoot clients k = 0..n-1 to probe on every server. */
  haVpnClients: number;
  /** HA_VPN_SERVERS when given; Gardener's path-controller container does not set it. */
  haVpnServers: number | undefined;
  /** BONDING_MODE, default active-backup: `balance-rr` routes over all healthy paths at once. */
  bondingMode: BondingMode;
  shootNetworks: ShootNetworks;
  seedPodNetwork: Cidr | undefined;
  podIp: Ip;
  /** METRICS_PORT (ours, not the reference's): TCP port of `/metrics`. */
  metricsPort: number;
}

/**
 * IP_FAMILIES is a plain string here in the reference, read and never used: ignored. The reference's
 * "network to check is undefined" cannot happen (SHOOT_SERVICE_NETWORKS has a default and "" means unset).
 */
export function parsePathControllerSettings(env: NodeJS.ProcessEnv): PathControllerSettings {
  const read = new EnvReader(env);
  const vpnNetwork = readVpnNetwork(read, V.VPN_NETWORK);
  const haVpnClients = requireHaClientCount(V.PATH_HA_VPN_CLIENTS.name, readCount(read, V.PATH_HA_VPN_CLIENTS));
  const shootNetworks = readShootNetworks(read, {
    SHOOT_SERVICE_NETWORKS: V.PATH_SHOOT_SERVICE_NETWORKS,
    SHOOT_POD_NETWORKS: V.PATH_SHOOT_POD_NETWORKS,
    SHOOT_NODE_NETWORKS: V.PATH_SHOOT_NODE_NETWORKS,
  });
  const seedPodNetwork = read.value(V.SEED_POD_NETWORK);
  const haVpnServers = read.value(V.PATH_HA_VPN_SERVERS);
  const bondingMode = read.value(V.BONDING_MODE);
  const podIp = read.value(V.POD_IP);
  const metricsPort = read.value(V.METRICS_PORT);
  if (metricsPort < 1 || metricsPort > 65535) throw new InputError(V.METRICS_PORT.name, `must be a TCP port 1..65535, got ${metricsPort}`);
  return { vpnNetwork, haVpnClients, haVpnServers, bondingMode, shootNetworks, seedPodNetwork, podIp, metricsPort };
}

import { InputError } from '../errors';
import type { Cidr } from '../net/cidr';
import { EnvReader } from './env-reader';
import { SEED_SERVER_ENVIRONMENT as V } from './seed-server-environment';
import { readShootNetworks, readVpnNetwork, requireHaClientCount, type ShootNetworks } from './shared';

/** An HA server replica `<name>-s`. */
export interface ServerHaSettings {
  /** s, from the `-0`, `-1` or `-2` suffix of POD_NAME. */
  serverIndex: number;
  /** HA_VPN_CLIENTS: the number of shoot clients (vpn-shoot replicas), > 0. */
  vpnClients: number;
}

/** Settings of vpn-seed-server (root, exporter, readiness, liveness): gardener/vpn2 pkg/config/vpn-server.go plus BuildValues. */
export interface ServerSettings {
  shootNetworks: ShootNetworks;
  vpnNetwork: Cidr;
  seedPodNetwork: Cidr | undefined;
  openvpnStatusPath: string;
  /** Present when IS_HA=true. */
  ha: ServerHaSettings | undefined;
  autoMtu: boolean;
}

/** The reference derives HA from this suffix too and requires it to agree with IS_HA. */
const HA_SERVER_POD_NAME = /-([0-2])$/;

/**
 * LOCAL_NODE_IP (a string the reference never uses) and IP_FAMILIES (not read by the reference server)
 * have no syntax to check and are ignored.
 */
export function parseServerSettings(env: NodeJS.ProcessEnv): ServerSettings {
  const read = new EnvReader(env);
  const shootNetworks = readShootNetworks(read, V);
  const vpnNetwork = readVpnNetwork(read, V.VPN_NETWORK);
  const seedPodNetwork = read.value(V.SEED_POD_NETWORK);
  const podName = read.value(V.POD_NAME);
  const openvpnStatusPath = read.value(V.OPENVPN_STATUS_PATH);
  const isHA = read.value(V.IS_HA);
  const haVpnClients = read.value(V.HA_VPN_CLIENTS);
  const autoMtu = read.value(V.OPENVPN_AUTO_MTU);
  if (!isHA && HA_SERVER_POD_NAME.test(podName)) {
    throw new InputError('IS_HA', `is false but POD_NAME "${podName}" names an HA server replica (ends in -0, -1 or -2)`);
  }
  return {
    shootNetworks,
    vpnNetwork,
    seedPodNetwork,
    openvpnStatusPath,
    ha: isHA ? haSettings(podName, haVpnClients) : undefined,
    autoMtu,
  };
}

function haSettings(podName: string, vpnClients: number): ServerHaSettings {
  if (podName === '') throw new InputError('IS_HA', 'is true but POD_NAME is not set');
  if (vpnClients <= 0) {
    throw new InputError('HA_VPN_CLIENTS', `must be greater than 0 when IS_HA is true, got ${vpnClients}`);
  }
  const suffix = HA_SERVER_POD_NAME.exec(podName);
  if (suffix === null) {
    throw new InputError('IS_HA', `is true but POD_NAME "${podName}" does not end in -0, -1 or -2 (an HA server replica)`);
  }
  return { serverIndex: Number(suffix[1]), vpnClients: requireHaClientCount('HA_VPN_CLIENTS', vpnClients) };
}

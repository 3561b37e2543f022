import { InputError } from '../errors';
import type { Cidr } from '../net/cidr';
import type { IpFamily } from '../net/family';
import { EnvReader } from './env-reader';
import { readIpFamilies, readShootNetworks, readVpnNetwork, requireHaClientCount, type BondingMode, type ShootNetworks } from './shared';
import { SHOOT_CLIENT_ENVIRONMENT as V } from './shoot-client-environment';

/** IS_HA=true. */
export interface ClientHaSettings {
  /** HA_VPN_SERVERS; 0 only together with vpnClients 0 (the reference allows both unset). */
  vpnServers: number;
  /** HA_VPN_CLIENTS */
  vpnClients: number;
  bondingMode: BondingMode;
}

/** Settings of vpn-shoot-client root and setup (gardener/vpn2 pkg/config/vpn-client.go), both as shoot client and as seed client. */
export interface ClientSettings {
  /** Sorted and de-duplicated: IPv4 first when present. */
  ipFamilies: IpFamily[];
  endpoint: string;
  openvpnPort: number;
  vpnNetwork: Cidr;
  seedPodNetwork: Cidr | undefined;
  /** No defaults here, unlike the server. */
  shootNetworks: ShootNetworks;
  isShootClient: boolean;
  /** VPN_SERVER_INDEX: set means the HA device `tap<index>` and management port 7505 + index. */
  vpnServerIndex: number | undefined;
  reversedVpnHeader: string;
  reversedVpnHeaderKey: string;
  /** Present when IS_HA=true. */
  ha: ClientHaSettings | undefined;
  /**
   * k of an HA shoot client `vpn-shoot-<k>` (secrets `vpn-client-<k>`, address `…::10s:b0k`); -1 for
   * everyone else. Unlike the reference, a seed client's pod name never yields an index.
   */
  clientIndex: number;
  autoMtu: boolean;
}

const MAX_PORT = 65535;
/** The index is one byte of the HA address plan. */
const MAX_INDEX = 255;

/**
 * Checks follow the reference's order. NAMESPACE and POD_LABEL_SELECTOR (plain strings) and WAIT_TIME
 * (a duration, refused when negative) belonged to the reference's Kubernetes IP pool, which our design
 * does not have: they are checked like the reference checks them and then ignored.
 */
export function parseClientSettings(env: NodeJS.ProcessEnv): ClientSettings {
  const read = new EnvReader(env);
  const endpoint = read.value(V.ENDPOINT);
  const openvpnPort = readPort(read);
  const vpnNetwork = readVpnNetwork(read, V.VPN_NETWORK);
  const seedPodNetwork = read.value(V.SEED_POD_NETWORK);
  const shootNetworks = readShootNetworks(read, V);
  const isShootClient = read.value(V.IS_SHOOT_CLIENT);
  const podName = read.value(V.POD_NAME);
  const vpnServerIndex = readVpnServerIndex(read);
  const isHA = read.value(V.IS_HA);
  const reversedVpnHeader = read.value(V.REVERSED_VPN_HEADER);
  const reversedVpnHeaderKey = read.value(V.REVERSED_VPN_HEADER_KEY);
  const vpnClients = read.value(V.HA_VPN_CLIENTS);
  const vpnServers = read.value(V.HA_VPN_SERVERS);
  const waitTimeMs = read.value(V.WAIT_TIME);
  const autoMtu = read.value(V.OPENVPN_AUTO_MTU);

  const ha = isHA ? haSettings(read, isShootClient, podName, vpnServers, vpnClients) : undefined;
  const ipFamilies = readIpFamilies(read, V.IP_FAMILIES);
  if (waitTimeMs < 0) throw new InputError(V.WAIT_TIME.name, `must not be negative, got "${read.raw(V.WAIT_TIME.name)}"`);
  const clientIndex = ha !== undefined && isShootClient ? haShootClientIndex(podName) : -1;
  return {
    ipFamilies,
    endpoint,
    openvpnPort,
    vpnNetwork,
    seedPodNetwork,
    shootNetworks,
    isShootClient,
    vpnServerIndex,
    reversedVpnHeader,
    reversedVpnHeaderKey,
    ha,
    clientIndex,
    autoMtu,
  };
}

function readPort(read: EnvReader): number {
  const port = read.value(V.OPENVPN_PORT);
  if (port < 1 || port > MAX_PORT) {
    throw new InputError(V.OPENVPN_PORT.name, `must be a TCP port 1..${MAX_PORT}, got ${port}`);
  }
  return port;
}

/**
 * The reference takes any string here; a non-numeric one would name a tap device that never exists. Read
 * as text, not as the entry's uint, so that one message covers syntax and range.
 */
function readVpnServerIndex(read: EnvReader): number | undefined {
  const text = read.raw(V.VPN_SERVER_INDEX.name);
  if (text === undefined) return undefined;
  const index = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(index <= MAX_INDEX)) {
    throw new InputError(V.VPN_SERVER_INDEX.name, `must be a server index 0..${MAX_INDEX}, got "${text}"`);
  }
  return index;
}

function haSettings(read: EnvReader, isShootClient: boolean, podName: string, vpnServers: number, vpnClients: number): ClientHaSettings {
  if (isShootClient && podName === '') {
    throw new InputError('POD_NAME', 'must be set when IS_HA and IS_SHOOT_CLIENT are true');
  }
  if (vpnServers > 0 && vpnClients === 0) {
    throw new InputError('HA_VPN_CLIENTS', `is 0 but HA_VPN_SERVERS is ${vpnServers}`);
  }
  if (vpnClients > 0 && vpnServers === 0) {
    throw new InputError('HA_VPN_SERVERS', `is 0 but HA_VPN_CLIENTS is ${vpnClients}`);
  }
  return { vpnServers, vpnClients: requireHaClientCount(V.HA_VPN_CLIENTS.name, vpnClients), bondingMode: read.value(V.BONDING_MODE) };
}

/** HA shoot clients are StatefulSet pods `vpn-shoot-<k>`. */
function haShootClientIndex(podName: string): number {
  const suffix = podName.slice(podName.lastIndexOf('-') + 1);
  const index = /^\d+$/.test(suffix) ? Number(suffix) : NaN;
  if (!(index <= MAX_INDEX)) {
    throw new InputError('POD_NAME', `an HA shoot client needs a numeric index suffix 0..${MAX_INDEX} ("vpn-shoot-<k>"), got "${podName}"`);
  }
  return index;
}

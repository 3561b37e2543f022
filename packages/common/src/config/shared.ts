import { InputError } from '../errors';
import { Cidr } from '../net/cidr';
import { VPN_NETWORK_PREFIX } from '../net/ha-address-plan';
import { DEFAULT_VPN_NETWORK } from '../net/reserved';
import type { IpFamily } from '../openvpn/values';
import type { EnvReader } from './env-reader';

/** The shoot's networks as configured, in configuration order. */
export interface ShootNetworks {
  services: Cidr[];
  pods: Cidr[];
  nodes: Cidr[];
}

export const SHOOT_NETWORK_VARIABLES: Readonly<Record<keyof ShootNetworks, string>> = {
  services: 'SHOOT_SERVICE_NETWORKS',
  pods: 'SHOOT_POD_NETWORKS',
  nodes: 'SHOOT_NODE_NETWORKS',
};

/** Defaults of the server and the path controller; the client has none. */
export const DEFAULT_SHOOT_NETWORKS: Readonly<ShootNetworks> = {
  services: [Cidr.parse('100.64.0.0/13')],
  pods: [Cidr.parse('100.96.0.0/11')],
  nodes: [],
};

export const NO_SHOOT_NETWORKS: Readonly<ShootNetworks> = { services: [], pods: [], nodes: [] };

export function readShootNetworks(read: EnvReader, defaults: Readonly<ShootNetworks>): ShootNetworks {
  return {
    services: read.cidrList(SHOOT_NETWORK_VARIABLES.services, defaults.services),
    pods: read.cidrList(SHOOT_NETWORK_VARIABLES.pods, defaults.pods),
    nodes: read.cidrList(SHOOT_NETWORK_VARIABLES.nodes, defaults.nodes),
  };
}

/** VPN_NETWORK: the IPv6 /96 transfer network, default `fd8f:6d53:b97a:1::/96`. */
export function readVpnNetwork(read: EnvReader): Cidr {
  const network = read.cidr('VPN_NETWORK') ?? DEFAULT_VPN_NETWORK;
  if (network.family !== 'IPv6') {
    throw new InputError('VPN_NETWORK', `must be an IPv6 CIDR, got ${network.toString()}`);
  }
  if (network.prefixLength !== VPN_NETWORK_PREFIX) {
    throw new InputError('VPN_NETWORK', `must have prefix length /${VPN_NETWORK_PREFIX}, got ${network.toString()}`);
  }
  return network;
}

export const BONDING_MODES = ['active-backup', 'balance-rr'] as const;
export type BondingMode = (typeof BONDING_MODES)[number];

export function readBondingMode(read: EnvReader): BondingMode {
  const mode = read.string('BONDING_MODE', 'active-backup');
  if (!(BONDING_MODES as readonly string[]).includes(mode)) {
    throw new InputError('BONDING_MODE', `must be one of ${BONDING_MODES.join(', ')}, got "${mode}"`);
  }
  return mode as BondingMode;
}

/**
 * IP_FAMILIES: one or two of IPv4/IPv6, default IPv4. The count is checked before de-duplication, as the
 * reference does (`IPv4,IPv6,IPv4` fails); the result is sorted, so IPv4 comes first when present.
 */
export function readIpFamilies(read: EnvReader): IpFamily[] {
  const families = read.stringList('IP_FAMILIES', ['IPv4']);
  if (families.length > 2) {
    throw new InputError('IP_FAMILIES', `must contain one or two elements, got "${families.join(',')}"`);
  }
  for (const family of families) {
    if (family !== 'IPv4' && family !== 'IPv6') {
      throw new InputError('IP_FAMILIES', `can only contain IPv4 or IPv6, found "${family}"`);
    }
  }
  return [...new Set(families as IpFamily[])].sort();
}

/** A count that the reference parses as a signed int but that only makes sense as 0 or more. */
export function readCount(read: EnvReader, name: string, fallback: number): number {
  const count = read.int(name, fallback);
  if (count < 0) throw new InputError(name, `must not be negative, got ${count}`);
  return count;
}

import { InputError } from '../errors';
import type { Cidr } from '../net/cidr';
import { MAX_HA_SHOOT_CLIENTS, VPN_NETWORK_PREFIX } from '../net/ha-address-plan';
import type { IpFamily } from '../net/family';
import type { EnvReader } from './env-reader';
import { EMPTY_SHOOT_NETWORK_VARIABLES, type DefaultedVariable } from './variables';

/** The shoot's networks as configured, in configuration order. */
export interface ShootNetworks {
  services: Cidr[];
  pods: Cidr[];
  nodes: Cidr[];
}

export const SHOOT_NETWORK_VARIABLES: Readonly<Record<keyof ShootNetworks, string>> = {
  services: EMPTY_SHOOT_NETWORK_VARIABLES.SHOOT_SERVICE_NETWORKS.name,
  pods: EMPTY_SHOOT_NETWORK_VARIABLES.SHOOT_POD_NETWORKS.name,
  nodes: EMPTY_SHOOT_NETWORK_VARIABLES.SHOOT_NODE_NETWORKS.name,
};

/** The table entries of one program's subcommand: the server's and the path controller's have defaults. */
export function readShootNetworks(
  read: EnvReader,
  variables: Record<'SHOOT_SERVICE_NETWORKS' | 'SHOOT_POD_NETWORKS' | 'SHOOT_NODE_NETWORKS', DefaultedVariable<'cidr list'>>,
): ShootNetworks {
  return {
    services: read.value(variables.SHOOT_SERVICE_NETWORKS),
    pods: read.value(variables.SHOOT_POD_NETWORKS),
    nodes: read.value(variables.SHOOT_NODE_NETWORKS),
  };
}

/** VPN_NETWORK: the IPv6 /96 transfer network. */
export function readVpnNetwork(read: EnvReader, variable: DefaultedVariable<'cidr'>): Cidr {
  const network = read.value(variable);
  if (network.family !== 'IPv6') {
    throw new InputError(variable.name, `must be an IPv6 CIDR, got ${network.toString()}`);
  }
  if (network.prefixLength !== VPN_NETWORK_PREFIX) {
    throw new InputError(variable.name, `must have prefix length /${VPN_NETWORK_PREFIX}, got ${network.toString()}`);
  }
  return network;
}

export const BONDING_MODES = ['active-backup', 'balance-rr'] as const;
export type BondingMode = (typeof BONDING_MODES)[number];

/**
 * IP_FAMILIES: one or two of IPv4/IPv6, default IPv4. The count is checked before de-duplication, as the
 * reference does (`IPv4,IPv6,IPv4` fails); the result is sorted, so IPv4 comes first when present.
 */
export function readIpFamilies(read: EnvReader, variable: DefaultedVariable<'list'>): IpFamily[] {
  const families = read.value(variable);
  if (families.length > 2) {
    throw new InputError(variable.name, `must contain one or two elements, got "${families.join(',')}"`);
  }
  for (const family of families) {
    if (family !== 'IPv4' && family !== 'IPv6') {
      throw new InputError(variable.name, `can only contain IPv4 or IPv6, found "${family}"`);
    }
  }
  return [...new Set(families as IpFamily[])].sort();
}

/** A count that the reference parses as a signed int but that only makes sense as 0 or more. */
export function readCount(read: EnvReader, variable: DefaultedVariable<'int'>): number {
  const count = read.value(variable);
  if (count < 0) throw new InputError(variable.name, `must not be negative, got ${count}`);
  return count;
}

/** HA_VPN_CLIENTS: every shoot client gets a fixed address on every server (docs/ha.md, "Address plan"). */
export function requireHaClientCount(name: string, count: number): number {
  if (count > MAX_HA_SHOOT_CLIENTS) throw new InputError(name, `must be at most ${MAX_HA_SHOOT_CLIENTS}, got ${count}`);
  return count;
}

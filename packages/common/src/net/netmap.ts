import { Cidr } from './cidr';
import { Ip } from './ip';
import { RESERVED_RANGES } from './reserved';

/** One source network and the block of the same size it is NETMAP-ed to. */
export interface NetmapEntry {
  readonly source: Cidr;
  readonly mapped: Cidr;
}

export type ShootNetworkKind = 'pod' | 'service' | 'node';

/** A shoot network list does not fit its reserved /8; `kind` says which list. */
export class ShootNetmapError extends Error {
  constructor(
    readonly kind: ShootNetworkKind,
    readonly destination: Cidr,
    cause: Error,
  ) {
    super(`failed to map shoot ${kind} networks into ${destination.toString()}: ${cause.message}`);
    this.name = 'ShootNetmapError';
  }
}

/** iptables NETMAP on one address: the prefix bits of `subnet` replace those of `ip`, the host bits stay. */
export function netmapIp(ip: Ip, subnet: Cidr): Ip {
  requireIpv4(ip.family, ip.toString());
  requireIpv4(subnet.family, subnet.toString());
  const hostBits = subnet.size - 1n;
  return Ip.fromValue('IPv4', subnet.network.value | (ip.value & hostBits));
}

/**
 * Gives every source network its own block of `destination`: sources in ascending prefix order (stable),
 * each taking the next block of its own size after the previous one. Blocks are aligned by construction:
 * every earlier block is at least as large as the current one. This is the reference's allocation,
 * computed instead of enumerated; the result keeps the input order, one entry per source.
 */
export function netmapSubnets(sources: readonly Cidr[], destination: Cidr): NetmapEntry[] {
  requireIpv4(destination.family, destination.toString());
  for (const source of sources) requireIpv4(source.family, source.toString());
  const order = sources
    .map((source, index) => ({ source, index }))
    .sort((a, b) => a.source.prefixLength - b.source.prefixLength || a.index - b.index);
  const entries = new Array<NetmapEntry>(sources.length);
  let offset = 0n;
  for (const { source, index } of order) {
    if (source.prefixLength < destination.prefixLength) {
      throw new Error(`source ${source.toString()} is larger than destination ${destination.toString()}`);
    }
    if (offset + source.size > destination.size) {
      throw new Error(`not enough space in ${destination.toString()} to fit all source subnets: [${sources.join(' ')}]`);
    }
    const base = Ip.fromValue('IPv4', destination.network.value + offset);
    entries[index] = { source, mapped: Cidr.of(base, source.prefixLength) };
    offset += source.size;
  }
  return entries;
}

/**
 * The per-network NETMAP plan of the shoot's IPv4 networks: pods into 244/8, services into 243/8, nodes
 * into 242/8, each kind allocated independently from the start of its range. IPv6 networks are skipped.
 */
export function shootNetworksForNetmap(pods: readonly Cidr[], services: readonly Cidr[], nodes: readonly Cidr[]): NetmapEntry[] {
  return [
    ...mapKind('pod', pods, RESERVED_RANGES.shootPods),
    ...mapKind('service', services, RESERVED_RANGES.shootServices),
    ...mapKind('node', nodes, RESERVED_RANGES.shootNodes),
  ];
}

function mapKind(kind: ShootNetworkKind, networks: readonly Cidr[], destination: Cidr): NetmapEntry[] {
  try {
    return netmapSubnets(
      networks.filter((n) => n.family === 'IPv4'),
      destination,
    );
  } catch (err) {
    throw new ShootNetmapError(kind, destination, err as Error);
  }
}

function requireIpv4(family: string, text: string): void {
  if (family !== 'IPv4') throw new Error(`only IPv4 is supported: ${text}`);
}

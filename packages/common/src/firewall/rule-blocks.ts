import type { Cidr } from '../net/cidr';
import type { NetmapEntry } from '../net/netmap';
import { RESERVED_RANGES } from '../net/reserved';
import type { IpVersion } from '../net/family';
import type { Rule } from './rule';

/** The group of Gardener's envoy HTTP CONNECT proxy; only its traffic is mapped on the way out. */
export const ENVOY_GROUP_ID = 31415;

/** nat OUTPUT: the envoy group's connections to a real shoot network go to its mapped block instead. */
export function envoyNetmapRules(mappings: readonly NetmapEntry[]): Rule[] {
  return mappings.map((m) => ({
    family: 4,
    table: 'nat',
    chain: 'OUTPUT',
    args: ['-m', 'owner', '--gid-owner', String(ENVOY_GROUP_ID), '-d', m.source.toString(), '-j', 'NETMAP', '--to', m.mapped.toString()],
  }));
}

/**
 * The IPv4 seed pod network appears to the shoot as 241.0.0.0/8: sources leaving on `device` are mapped
 * into it, and 241/8 destinations arriving on `device` are mapped back.
 */
export function seedPodNetmapRules(device: string, seedPodNetwork: Cidr): Rule[] {
  const mappedRange = RESERVED_RANGES.seedPods.toString();
  return [
    {
      family: 4,
      table: 'nat',
      chain: 'PREROUTING',
      args: ['-i', device, '-d', mappedRange, '-j', 'NETMAP', '--to', seedPodNetwork.toString()],
    },
    {
      family: 4,
      table: 'nat',
      chain: 'POSTROUTING',
      args: ['-o', device, '-s', seedPodNetwork.toString(), '-j', 'NETMAP', '--to', mappedRange],
    },
  ];
}

/**
 * `chain` lets in from `device` only packets of connections that already exist (and `extra` accepts,
 * placed before the DROP), so nothing the other side initiates gets through.
 */
export function repliesOnlyRules(
  family: IpVersion,
  chain: 'INPUT' | 'FORWARD',
  device: string,
  extra: readonly (readonly string[])[] = [],
): Rule[] {
  const rule = (args: readonly string[]): Rule => ({ family, table: 'filter', chain, args: ['-i', device, ...args] });
  return [rule(['-m', 'state', '--state', 'RELATED,ESTABLISHED', '-j', 'ACCEPT']), ...extra.map(rule), rule(['-j', 'DROP'])];
}
